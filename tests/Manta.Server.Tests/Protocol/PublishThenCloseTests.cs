using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Protocol;

/// <summary>
/// A client that publishes, disconnects and closes its socket at once (mosquitto_pub does) must
/// have its publication delivered: the broker reads everything the client sent before the close.
/// </summary>
public sealed class PublishThenCloseTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    private const int Publishers = 300;

    [Fact]
    public async Task Publication_sent_right_before_the_socket_closes_is_delivered()
    {
        var topic = Timeouts.Topic("closing");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server.Host, fixture.Server.Port, MqttProtocolVersion.V311, Timeouts.ClientId("closing-sub"));
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtMostOnce);

        for (var i = 0; i < Publishers; i++)
        {
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(fixture.Server.Host, fixture.Server.Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encode(new ConnectPacket { ClientId = $"closing-{i}" }));
            var connAck = new byte[4];
            await stream.ReadExactlyAsync(connAck);
            Assert.Equal(0x20, connAck[0]);

            // PUBLISH, DISCONNECT and the close, back to back.
            var payload = i.ToString(CultureInfo.InvariantCulture);
            byte[] tail = [.. Encode(new PublishPacket { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(payload) }), .. Encode(new DisconnectPacket())];
            await stream.WriteAsync(tail);
            tcp.Client.Shutdown(SocketShutdown.Send);
        }

        var received = new HashSet<string>();
        for (var i = 0; i < Publishers; i++)
        {
            received.Add((await subscriber.NextAsync()).PayloadText);
        }

        Assert.Equal(Publishers, received.Count);
    }

    private static byte[] Encode(MqttPacket packet)
    {
        var writer = new ArrayBufferWriter<byte>();
        MqttPacketEncoder.Encode(packet, Manta.Protocol.MqttProtocolVersion.V311, writer);
        return writer.WrittenSpan.ToArray();
    }
}
