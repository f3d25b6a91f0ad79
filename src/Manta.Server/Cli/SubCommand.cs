using System.CommandLine;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Manta.Server.Cli;

/// <summary><c>manta sub -h HOST -p PORT -t TOPIC [-t TOPIC ...] [-q 0|1|2] [-C count] [-W seconds] [-v]</c>: prints what arrives, one message a line.</summary>
public static class SubCommand
{
    /// <summary>The <c>sub</c> subcommand.</summary>
    public static Command Create()
    {
        var client = new ClientArguments();
        var topics = new Option<string[]>("--topic", "-t") { Description = "Topic filter to subscribe to (repeatable).", Required = true };
        var count = new Option<int?>("--count", "-C") { Description = "Exit after this many messages." };
        var wait = new Option<int?>("--timeout", "-W") { Description = "Exit after this many seconds (exit code 1 if --count messages had not arrived by then)." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print \"topic payload\" instead of the payload alone." };

        var sub = new Command("sub", "Subscribe and print each message on a line (a small client for trying things out).");
        client.AddTo(sub);
        foreach (var option in new Option[] { topics, count, wait, verbose })
        {
            sub.Options.Add(option);
        }

        sub.Validators.Add(result =>
        {
            if (result.GetValue(count) is <= 0)
            {
                result.AddError("--count (-C) must be at least 1.");
            }

            if (result.GetValue(wait) is <= 0)
            {
                result.AddError("--timeout (-W) must be at least 1 second.");
            }
        });

        sub.SetAction((parse, cancellationToken) => ClientRunner.RunAsync(client, parse, async (mqtt, token) =>
        {
            var limit = parse.GetValue(count);
            var printTopic = parse.GetValue(verbose);
            var received = 0;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var output = new SemaphoreSlim(1, 1);
            mqtt.ApplicationMessageReceivedAsync += async e =>
            {
                await output.WaitAsync(CancellationToken.None);
                try
                {
                    if (limit is { } max && received >= max)
                    {
                        return;
                    }

                    var payload = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
                    await Console.Out.WriteLineAsync(printTopic ? e.ApplicationMessage.Topic + " " + payload : payload);
                    await Console.Out.FlushAsync(CancellationToken.None);
                    received++;
                    if (limit is { } last && received >= last)
                    {
                        done.TrySetResult();
                    }
                }
                finally
                {
                    output.Release();
                }
            };
            mqtt.DisconnectedAsync += _ =>
            {
                done.TrySetResult();
                return Task.CompletedTask;
            };

            var subscribe = new MqttClientSubscribeOptionsBuilder();
            var qos = (MqttQualityOfServiceLevel)parse.GetValue(client.Qos);
            foreach (var topic in parse.GetValue(topics) ?? [])
            {
                subscribe.WithTopicFilter(topic, qos);
            }

            var granted = await mqtt.SubscribeAsync(subscribe.Build(), token);
            foreach (var item in granted.Items)
            {
                if ((int)item.ResultCode >= 0x80)
                {
                    await Console.Error.WriteLineAsync($"manta sub: subscription to {item.TopicFilter.Topic} refused: {item.ResultCode}");
                    return ExitCodes.Failed;
                }
            }

            using var timeout = parse.GetValue(wait) is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds)) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
            try
            {
                await done.Task.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // -W elapsed: a success unless -C asked for more than arrived.
                return limit is null ? ExitCodes.Ok : ExitCodes.Failed;
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Ok; // Ctrl+C
            }

            if (!mqtt.IsConnected && (limit is null || received < limit))
            {
                await Console.Error.WriteLineAsync("manta sub: disconnected by the server");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }, cancellationToken));
        return sub;
    }
}
