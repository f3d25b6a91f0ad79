using System.CommandLine;
using System.Security.Cryptography;
using MQTTnet;

namespace Manta.Server.Cli;

/// <summary>Connects, runs the body of <c>pub</c> or <c>sub</c>, disconnects; maps failures to exit codes.</summary>
internal static class ClientRunner
{
    public static async Task<int> RunAsync(ClientArguments arguments, ParseResult parse, Func<IMqttClient, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        MqttClientOptions options;
        try
        {
            options = arguments.Build(parse);
        }
        catch (Exception exception) when (exception is IOException or CryptographicException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"manta {parse.CommandResult.Command.Name}: {exception.Message}");
            return ExitCodes.Usage;
        }

        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var connected = await client.ConnectAsync(options, cancellationToken);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                await Console.Error.WriteLineAsync($"manta {parse.CommandResult.Command.Name}: connection refused: {connected.ResultCode} {connected.ReasonString}".TrimEnd());
                return ExitCodes.Failed;
            }
        }
        catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or MQTTnet.Adapter.MqttConnectingFailedException)
        {
            var reason = exception.InnerException?.Message ?? exception.Message;
            await Console.Error.WriteLineAsync($"manta {parse.CommandResult.Command.Name}: cannot connect to {Endpoint(options)}: {reason}");
            return ExitCodes.Failed;
        }

        try
        {
            return await body(client, cancellationToken);
        }
        catch (MQTTnet.Exceptions.MqttCommunicationException exception)
        {
            await Console.Error.WriteLineAsync($"manta {parse.CommandResult.Command.Name}: {exception.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
                }
                catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
                {
                    // Gone already; nothing to tell.
                }
            }
        }
    }

    private static string Endpoint(MqttClientOptions options) => options.ChannelOptions is MqttClientTcpOptions { RemoteEndpoint: System.Net.DnsEndPoint dns }
        ? $"{dns.Host}:{dns.Port}"
        : options.ChannelOptions?.ToString() ?? "?";
}
