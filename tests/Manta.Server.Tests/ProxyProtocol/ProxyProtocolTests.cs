using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Manta.Broker.Extensibility;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Server.Hosting;
using Manta.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Manta.Server.Tests.ProxyProtocol;

/// <summary>A listener behind a load balancer: the PROXY protocol header gives the address the broker logs and authorizes.</summary>
public sealed class ProxyProtocolTests : IAsyncLifetime
{
    private readonly RecordingAuthenticator _authenticator = new();
    private WebApplication? _app;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = MantaServer.FreeTcpPort();
        _app = MantaHost.Build(
            [
                "--Manta:Listeners:0:Address=127.0.0.1",
                $"--Manta:Listeners:0:Port={_port.ToString(CultureInfo.InvariantCulture)}",
                "--Manta:Listeners:0:ProxyProtocol=true",
                "--Manta:Http:Enabled=false",
                "--Manta:Storage:Mode=Memory",
                "--Logging:LogLevel:Default=Warning",
            ],
            services => services.AddSingleton<IAuthenticator>(_authenticator));
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_v1_header_gives_the_client_address()
    {
        var connAck = await ConnectThroughAsync(Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 192.0.2.1 5555 1883\r\n"), "v1");
        Assert.Equal(0x20, connAck[0]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 5555), _authenticator.Seen["v1"]);
    }

    [Fact]
    public async Task A_v1_header_for_ipv6_gives_the_client_address()
    {
        await ConnectThroughAsync(Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::7 2001:db8::1 6000 1883\r\n"), "v1six");
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 6000), _authenticator.Seen["v1six"]);
    }

    [Fact]
    public async Task A_v2_header_gives_the_client_address()
    {
        var header = new byte[16 + 12];
        new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A }.CopyTo(header, 0);
        header[12] = 0x21; // version 2, PROXY
        header[13] = 0x11; // TCP over IPv4
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), 12);
        IPAddress.Parse("198.51.100.9").GetAddressBytes().CopyTo(header, 16);
        IPAddress.Parse("192.0.2.1").GetAddressBytes().CopyTo(header, 20);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(24), 6001);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(26), 1883);

        await ConnectThroughAsync(header, "v2");
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 6001), _authenticator.Seen["v2"]);
    }

    [Fact]
    public async Task A_connection_without_a_header_is_closed()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encode(new ConnectPacket { ClientId = "direct" }));
        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        int read;
        try
        {
            read = await stream.ReadAsync(buffer, cts.Token);
        }
        catch (IOException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        Assert.False(_authenticator.Seen.ContainsKey("direct"));
    }

    private async Task<byte[]> ConnectThroughAsync(byte[] header, string clientId)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _port);
        var stream = tcp.GetStream();
        byte[] bytes = [.. header, .. Encode(new ConnectPacket { ClientId = clientId })];
        await stream.WriteAsync(bytes);
        var connAck = new byte[4];
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await stream.ReadExactlyAsync(connAck, cts.Token);
        return connAck;
    }

    private static byte[] Encode(MqttPacket packet)
    {
        var writer = new ArrayBufferWriter<byte>();
        MqttPacketEncoder.Encode(packet, MqttProtocolVersion.V311, writer);
        return writer.WrittenSpan.ToArray();
    }

    private sealed class RecordingAuthenticator : IAuthenticator
    {
        public System.Collections.Concurrent.ConcurrentDictionary<string, EndPoint?> Seen { get; } = new();

        public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
        {
            Seen[request.ClientId] = request.Connection.RemoteEndPoint;
            return ValueTask.FromResult(AuthenticationResult.Success(new ClientPrincipal(request.ClientId, null)));
        }
    }
}
