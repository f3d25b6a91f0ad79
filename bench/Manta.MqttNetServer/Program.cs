using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using MQTTnet.Server;

// mqttnet-server <port>: MQTTnet's broker with its default options — anonymous, in memory, no
// logger — on one TCP endpoint on 127.0.0.1, until SIGTERM or Ctrl-C. The peer that
// bench/compare.sh measures Manta against; nothing here is tuned.
if (args.Length != 1 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
{
    Console.Error.WriteLine("usage: mqttnet-server <port>");
    return 2;
}

var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopping.TrySetResult();
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

var factory = new MqttServerFactory();
var options = factory.CreateServerOptionsBuilder()
    .WithDefaultEndpoint()
    .WithDefaultEndpointPort(port)
    .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
    .WithDefaultEndpointBoundIPV6Address(IPAddress.None) // None: no IPv6 listener.
    .Build();
using var server = factory.CreateMqttServer(options);
await server.StartAsync();
Console.Error.WriteLine($"mqttnet-server: MQTTnet {typeof(MqttServer).Assembly.GetName().Version} listening on 127.0.0.1:{port}");
await stopping.Task;
await server.StopAsync();
return 0;
