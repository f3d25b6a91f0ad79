using System.Net;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Limits;

/// <summary>After a limit was hit: two fresh clients (from other addresses) still connect, subscribe, publish and receive.</summary>
internal static class OthersUnaffected
{
    private static int s_next;

    public static async Task AssertAsync(TestBroker broker, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var n = Interlocked.Increment(ref s_next);
        // Each from its own address, with a short one-level topic, so per-address and topic limits leave them alone.
        await using var subscriber = new PipeClient(broker.Broker, version, IPAddress.Parse($"127.1.{n % 250}.1"));
        Assert.Equal(ReasonCode.Success, (await subscriber.ConnectAsync($"bystander-sub-{n}")).ReasonCode);
        await subscriber.SubscribeAsync($"b{n}", QualityOfService.AtLeastOnce);
        await using var publisher = new PipeClient(broker.Broker, version, IPAddress.Parse($"127.1.{n % 250}.2"));
        Assert.Equal(ReasonCode.Success, (await publisher.ConnectAsync($"bystander-pub-{n}")).ReasonCode);
        await publisher.PublishAsync($"b{n}", "fine", QualityOfService.AtLeastOnce, packetId: 1);
        Assert.Equal(ReasonCode.Success, (await publisher.ReceiveAsync<PubAckPacket>()).ReasonCode);
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal("fine"u8.ToArray(), delivered.Payload.ToArray());
    }
}
