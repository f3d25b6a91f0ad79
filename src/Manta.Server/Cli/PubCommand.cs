using System.CommandLine;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Manta.Server.Cli;

/// <summary><c>manta pub -h HOST -p PORT -t TOPIC -m MESSAGE [-q 0|1|2] [-r] [-D name=value] ...</c>: publishes one message, for trying things out.</summary>
public static class PubCommand
{
    /// <summary>The <c>pub</c> subcommand.</summary>
    public static Command Create()
    {
        var client = new ClientArguments();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to publish to.", Required = true };
        var message = new Option<string?>("--message", "-m") { Description = "Payload (UTF-8)." };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Send the contents of a file as the payload." };
        var nullMessage = new Option<bool>("--null-message", "-n") { Description = "Send an empty payload (e.g. to clear a retained message)." };
        var retain = new Option<bool>("--retain", "-r") { Description = "Set the RETAIN flag." };
        var properties = new Option<string[]>("--user-property", "-D") { Description = "A user property name=value (MQTT 5; repeatable)." };

        var pub = new Command("pub", "Publish one message (a small client for trying things out).");
        client.AddTo(pub);
        foreach (var option in new Option[] { topic, message, file, nullMessage, retain, properties })
        {
            pub.Options.Add(option);
        }

        pub.Validators.Add(result =>
        {
            var given = (result.GetResult(message) is null ? 0 : 1) + (result.GetResult(file) is null ? 0 : 1) + (result.GetResult(nullMessage) is null ? 0 : 1);
            if (given != 1)
            {
                result.AddError("Give exactly one of --message (-m), --file (-f) or --null-message (-n).");
            }

            foreach (var property in result.GetValue(properties) ?? [])
            {
                if (property.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"User property '{property}' is not name=value.");
                }
            }
        });

        pub.SetAction(async (parse, cancellationToken) =>
        {
            var payload = parse.GetValue(file) is { } path
                ? await File.ReadAllBytesAsync(path.FullName, cancellationToken)
                : Encoding.UTF8.GetBytes(parse.GetValue(message) ?? string.Empty);
            var builder = new MqttApplicationMessageBuilder()
                .WithTopic(parse.GetValue(topic))
                .WithPayload(payload)
                .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)parse.GetValue(client.Qos))
                .WithRetainFlag(parse.GetValue(retain));
            foreach (var property in parse.GetValue(properties) ?? [])
            {
                var split = property.IndexOf('=', StringComparison.Ordinal);
                builder.WithUserProperty(property[..split], Encoding.UTF8.GetBytes(property[(split + 1)..]).AsMemory());
            }

            return await ClientRunner.RunAsync(client, parse, async (mqtt, token) =>
            {
                var result = await mqtt.PublishAsync(builder.Build(), token);
                if (!result.IsSuccess)
                {
                    await Console.Error.WriteLineAsync($"manta pub: refused: {result.ReasonCode} {result.ReasonString}".TrimEnd());
                    return ExitCodes.Failed;
                }

                return ExitCodes.Ok;
            }, cancellationToken);
        });
        return pub;
    }
}
