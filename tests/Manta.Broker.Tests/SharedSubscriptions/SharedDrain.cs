using System.Text;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.SharedSubscriptions;

/// <summary>
/// Collects what a member has been given so far, without timeouts: a PINGREQ goes through the
/// member's outbox behind every delivery handed to it before, so everything up to the PINGRESP
/// is what the broker had routed to it. QoS 1 deliveries are acknowledged unless told otherwise.
/// </summary>
internal static class SharedDrain
{
    public static async Task<List<string>> PayloadsAsync(PipeClient member, bool acknowledge = true)
    {
        var payloads = new List<string>();
        await member.SendAsync(PingReqPacket.Instance);
        while (true)
        {
            var packet = await member.ReceiveAsync();
            switch (packet)
            {
                case PingRespPacket:
                    return payloads;
                case PublishPacket publish:
                    payloads.Add(Encoding.UTF8.GetString(publish.Payload.Span));
                    if (acknowledge && publish.QoS == QualityOfService.AtLeastOnce)
                    {
                        await member.SendAsync(new PubAckPacket { PacketId = publish.PacketId });
                    }

                    break;
                default:
                    throw new Xunit.Sdk.XunitException($"expected PUBLISH or PINGRESP, got {packet?.GetType().Name ?? "connection closed"}");
            }
        }
    }

    /// <summary>Publishes <paramref name="count"/> QoS 0 messages "{prefix}{i}" on <paramref name="topic"/>, then waits until the broker has routed them.</summary>
    public static async Task PublishAsync(PipeClient publisher, string topic, int count, string prefix = "m")
    {
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(topic, prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await publisher.PingAsync();
    }
}
