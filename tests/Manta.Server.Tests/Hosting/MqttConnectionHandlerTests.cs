using System.Buffers;
using System.IO.Pipelines;
using Manta.Broker;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Server.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Manta.Server.Tests.Hosting;

public sealed class MqttConnectionHandlerTests
{
    /// <summary>
    /// Kestrel signals ConnectionClosed as soon as the client has closed, which can be before the
    /// broker has read the last bytes (mosquitto_pub sends PUBLISH, DISCONNECT and closes at once):
    /// everything the client sent must still be processed.
    /// </summary>
    [Fact]
    public async Task What_a_client_sent_before_closing_is_processed_even_when_kestrel_already_reports_the_close()
    {
        await using var broker = new MqttBroker(new BrokerOptions());
        var handler = new MqttConnectionHandler(broker, "test");
        var toServer = new Pipe();
        var toClient = new Pipe();
        var context = new DefaultConnectionContext("c1", new Duplex(toServer.Reader, toClient.Writer), new Duplex(toClient.Reader, toServer.Writer));
        using var closed = new CancellationTokenSource();
        await closed.CancelAsync();
        context.ConnectionClosed = closed.Token;

        var bytes = new ArrayBufferWriter<byte>();
        MqttPacketEncoder.Encode(new ConnectPacket { ClientId = "gone" }, MqttProtocolVersion.V311, bytes);
        MqttPacketEncoder.Encode(new PublishPacket { Topic = "last/words", Payload = "bye"u8.ToArray(), Retain = true }, MqttProtocolVersion.V311, bytes);
        MqttPacketEncoder.Encode(new DisconnectPacket(), MqttProtocolVersion.V311, bytes);
        await toServer.Writer.WriteAsync(bytes.WrittenMemory);
        await toServer.Writer.CompleteAsync();

        await handler.OnConnectedAsync(context).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, broker.Retained.Count);
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
