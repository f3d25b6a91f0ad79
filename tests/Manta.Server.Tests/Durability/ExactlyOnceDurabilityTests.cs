using Manta.Server.Tests.Support;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Durability;

/// <summary>
/// QoS 2 across <c>kill -9</c>: the broker's half of each exchange is durable, so exactly once
/// holds when both sides resume their sessions. Raw clients choose the packet ids, DUP, and
/// where each exchange stops at the kill (MQTTnet keeps no client-side session state across a
/// client restart, so it cannot resend an unfinished exchange).
/// </summary>
public sealed class ExactlyOnceDurabilityTests
{
    [Theory]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    public async Task Qos2_publish_resent_with_dup_after_kill_9_is_acknowledged_but_not_delivered_again_MQTT_4_3_3(byte level)
    {
        await using var manta = await DurableManta.StartAsync();
        var version = Deliveries.MqttNetVersion(level);
        var topic = Timeouts.Topic("durable-qos2-in");
        var subscriberId = Timeouts.ClientId("dqs");
        var publisherId = Timeouts.ClientId("dqp");
        const ushort Id = 7;

        var subscriber = await NetClient.ConnectAsync(manta.Host, manta.Port, version, subscriberId, Deliveries.Persistent);
        var (publisher, _) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, publisherId, cleanStart: false, sessionExpiry: 3600);
        try
        {
            await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);

            // PUBLISH id 7, PUBREC: the broker owns the message now, and has delivered it.
            await publisher.PublishAsync(topic, "once", qos: 2, Id);
            var pubRec = await publisher.NextAsync();
            Assert.True(pubRec is { Type: WirePacket.PubRec, PacketId: Id, AckReasonCode: < 0x80 }, $"expected a successful PUBREC {Id}, got {pubRec}");
            Assert.Equal("once", (await subscriber.NextAsync()).PayloadText);

            // Let the subscriber's own QoS 2 exchange finish (PUBREC, PUBREL, PUBCOMP); the publisher's stays open: no PUBREL.
            await Task.Delay(500);
            await manta.KillAndRestartAsync();
        }
        finally
        {
            await publisher.DisposeAsync();
            await subscriber.DisposeAsync();
        }

        await using var subscriberAgain = await NetClient.ConnectAsync(manta.Host, manta.Port, version, subscriberId, Deliveries.Persistent);
        Assert.True(subscriberAgain.ConnectResult.IsSessionPresent, $"the subscriber's session did not survive kill -9.\n{manta.Describe()}");
        var (publisherAgain, present) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, publisherId, cleanStart: false, sessionExpiry: 3600);
        await using (publisherAgain)
        {
            Assert.True(present, $"the publisher's session (with QoS 2 id {Id} awaiting PUBREL) did not survive kill -9.\n{manta.Describe()}");

            // The client resumes the exchange as the spec says (MQTT-4.4.0-1): the same PUBLISH again, with DUP.
            await publisherAgain.PublishAsync(topic, "once", qos: 2, Id, dup: true);
            var again = await publisherAgain.NextAsync();
            Assert.True(again is { Type: WirePacket.PubRec, PacketId: Id, AckReasonCode: < 0x80 }, $"expected a successful PUBREC {Id} for the resent PUBLISH, got {again}");
            await publisherAgain.PubRelAsync(Id);
            var pubComp = await publisherAgain.NextAsync();

            // In 5.0 a PUBCOMP with 0x92 (Packet Identifier not found) would say the id was forgotten in the restart.
            Assert.True(pubComp is { Type: WirePacket.PubComp, PacketId: Id, AckReasonCode: 0 }, $"expected PUBCOMP {Id} with success, got {pubComp}");

            // A new message after it proves the subscription is alive, so "nothing else" below means something.
            await publisherAgain.PublishAsync(topic, "after", qos: 2, Id + 1);
            Assert.True(await publisherAgain.NextAsync() is { Type: WirePacket.PubRec, PacketId: Id + 1 });
            await publisherAgain.PubRelAsync(Id + 1);
            Assert.True(await publisherAgain.NextAsync() is { Type: WirePacket.PubComp, PacketId: Id + 1 });
        }

        var next = await subscriberAgain.NextAsync();
        Assert.True(next.PayloadText == "after", $"the subscriber got '{next.PayloadText}' again after the restart: the resent QoS 2 PUBLISH was delivered twice");
        await subscriberAgain.ExpectNothingAsync();
    }

    [Theory]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    public async Task Qos2_delivery_the_subscriber_answered_with_pubrec_before_kill_9_resumes_with_pubrel_not_a_new_publish_MQTT_4_4_0_1(byte level)
    {
        await using var manta = await DurableManta.StartAsync();
        var version = Deliveries.MqttNetVersion(level);
        var topic = Timeouts.Topic("durable-qos2-out");
        var id = Timeouts.ClientId("dqo");
        ushort packetId;

        var (subscriber, _) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, id, cleanStart: false, sessionExpiry: 3600);
        try
        {
            await subscriber.SubscribeAsync(topic, qos: 2);
            await using (var publisher = await NetClient.ConnectAsync(manta.Host, manta.Port, version))
            {
                var result = await publisher.PublishAsync(topic, "once", MqttQualityOfServiceLevel.ExactlyOnce);
                Assert.True(result.IsSuccess, $"publish refused: {result.ReasonCode}");
            }

            var publish = await subscriber.NextPublishAsync();
            Assert.Equal(("once", 2), (publish.PayloadText, publish.QoS));
            packetId = publish.PacketId;

            // PUBREC, and the broker's PUBREL shows it took it; no PUBCOMP: the exchange is open at the kill.
            await subscriber.PubRecAsync(packetId);
            var pubRel = await subscriber.NextAsync();
            Assert.True(pubRel is { Type: WirePacket.PubRel } && pubRel.PacketId == packetId, $"expected PUBREL {packetId}, got {pubRel}");
            await Task.Delay(500);
            await manta.KillAndRestartAsync();
        }
        finally
        {
            await subscriber.DisposeAsync();
        }

        var (again, present) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, id, cleanStart: false, sessionExpiry: 3600);
        await using (again)
        {
            Assert.True(present, $"the subscriber's session did not survive kill -9.\n{manta.Describe()}");
            var first = await again.NextAsync();
            if (first.Type == WirePacket.Publish)
            {
                Assert.Fail($"after the restart the broker sent PUBLISH '{again.ParsePublish(first).PayloadText}' again, not PUBREL {packetId}: the subscriber's PUBREC was lost");
            }

            Assert.True(first.Type == WirePacket.PubRel && first.PacketId == packetId, $"expected PUBREL {packetId} first, got {first}");
            await again.PubCompAsync(packetId);

            // The next message is the new one, and nothing comes after it.
            await using (var publisher = await NetClient.ConnectAsync(manta.Host, manta.Port, version))
            {
                await publisher.PublishAsync(topic, "after", MqttQualityOfServiceLevel.ExactlyOnce);
            }

            var next = await again.NextPublishAsync();
            Assert.Equal("after", next.PayloadText);
            await again.PubRecAsync(next.PacketId);
            Assert.True(await again.NextAsync() is { Type: WirePacket.PubRel } rel && rel.PacketId == next.PacketId);
            await again.PubCompAsync(next.PacketId);
            var extra = await again.NextOrNullAsync(Timeouts.Absence);
            Assert.True(extra is null, $"unexpected packet after the exchanges: {extra}");
        }
    }

    [Theory]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    public async Task Qos2_stream_killed_in_the_middle_is_delivered_exactly_once_when_both_sides_resume(byte level)
    {
        const int Count = 120;
        await using var manta = await DurableManta.StartAsync();
        var topic = Timeouts.Topic("durable-qos2-stream");
        var publisherId = Timeouts.ClientId("dsp");
        var subscriberId = Timeouts.ClientId("dss");
        var sender = new Qos2Sender(topic, Count);
        var receiver = new Qos2Receiver();

        var (subscriber, _) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, subscriberId, cleanStart: false, sessionExpiry: 3600);
        var (publisher, _) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, publisherId, cleanStart: false, sessionExpiry: 3600);
        try
        {
            await subscriber.SubscribeAsync(topic, qos: 2);
            var receiving = receiver.RunAsync(subscriber);
            var sending = sender.RunAsync(publisher, resume: false);

            // kill -9 once a third has arrived, with exchanges open on both sides.
            await receiver.Delivered(Count / 3).WaitAsync(Timeouts.Expect);
            await manta.KillAsync();
            await Task.WhenAll(receiving, sending).WaitAsync(Timeouts.Expect);
        }
        finally
        {
            await publisher.DisposeAsync();
            await subscriber.DisposeAsync();
        }

        var atKill = $"at the kill: {receiver.Describe()}; {sender.Describe()}";
        await manta.StartAgainAsync();
        (subscriber, var subscriberPresent) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, subscriberId, cleanStart: false, sessionExpiry: 3600);
        Task? receivingAgain = null;
        try
        {
            receivingAgain = receiver.RunAsync(subscriber);
            (publisher, var publisherPresent) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, publisherId, cleanStart: false, sessionExpiry: 3600);
            await using (publisher)
            {
                Assert.True(subscriberPresent && publisherPresent, $"sessions after kill -9: subscriber {subscriberPresent}, publisher {publisherPresent}.\n{manta.Describe()}");
                Assert.True(await sender.RunAsync(publisher, resume: true), $"the publisher did not finish: {sender.Describe()}");
            }

            await Task.WhenAny(receiver.Delivered(Count), Task.Delay(Timeouts.Expect));

            // Anything still coming would be a second delivery.
            await Task.Delay(Timeouts.Absence);
            var expected = Enumerable.Range(0, Count).ToList();
            var messages = receiver.Messages;
            Assert.True(messages.SequenceEqual(expected), $"{Deliveries.Explain(expected, messages)} ({atKill}; at the end: {receiver.Describe()})");
        }
        finally
        {
            await subscriber.DisposeAsync();
            if (receivingAgain is not null)
            {
                await receivingAgain.WaitAsync(Timeouts.Expect);
            }
        }
    }

    /// <summary>
    /// A QoS 2 sender that keeps its session state across the broker's restart, as MQTT asks of a
    /// client (MQTT-4.4.0-1): at most 10 exchanges open; on resume, PUBLISH with DUP for each one
    /// without PUBREC and PUBREL for each one without PUBCOMP, in order. Message i has packet id i + 1.
    /// </summary>
    private sealed class Qos2Sender(string topic, int count)
    {
        private const int Window = 10;
        private readonly SortedDictionary<ushort, bool> _open = new(); // packet id -> PUBREC received (PUBREL sent)
        private int _next;
        private int _completed;

        public string Describe() => $"publisher sent {_next} of {count}, completed {_completed}, {_open.Count} open ({_open.Count(o => o.Value)} released)";

        /// <summary>Sends until every message is complete (true) or the connection ends (false).</summary>
        public async Task<bool> RunAsync(WireClient client, bool resume)
        {
            try
            {
                if (resume)
                {
                    foreach (var (id, released) in _open)
                    {
                        if (released)
                        {
                            await client.PubRelAsync(id);
                        }
                        else
                        {
                            await client.PublishAsync(topic, Deliveries.Payload(id - 1), qos: 2, id, dup: true);
                        }
                    }
                }

                while (true)
                {
                    while (_open.Count < Window && _next < count)
                    {
                        var id = (ushort)(_next + 1);
                        _open[id] = false;
                        _next++;
                        await client.PublishAsync(topic, Deliveries.Payload(id - 1), qos: 2, id);
                    }

                    if (_open.Count == 0)
                    {
                        return true;
                    }

                    var packet = await client.NextAsync();
                    switch (packet.Type)
                    {
                        case WirePacket.PubRec when _open.ContainsKey(packet.PacketId):
                            Assert.True(packet.AckReasonCode < 0x80, $"PUBREC {packet.PacketId} refused: 0x{packet.AckReasonCode:X2}");
                            _open[packet.PacketId] = true;
                            await client.PubRelAsync(packet.PacketId);
                            break;
                        case WirePacket.PubComp when _open.Remove(packet.PacketId):
                            _completed++;
                            break;
                        default:
                            throw new Xunit.Sdk.XunitException($"publisher: unexpected {packet} ({Describe()})");
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException or WireClosedException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// A QoS 2 receiver that keeps its session state across the broker's restart: a PUBLISH whose
    /// packet id awaits PUBREL is answered again but not delivered again (MQTT-4.3.3-9);
    /// PUBREL is answered with PUBCOMP.
    /// </summary>
    private sealed class Qos2Receiver
    {
        private readonly HashSet<ushort> _awaitingRelease = [];
        private readonly List<int> _messages = [];
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private readonly Lock _gate = new();
        private int _deliveredWithDup;

        public List<int> Messages
        {
            get
            {
                lock (_gate)
                {
                    return [.. _messages];
                }
            }
        }

        public string Describe()
        {
            lock (_gate)
            {
                return $"subscriber delivered {_messages.Count} ({_deliveredWithDup} of them with DUP), {_awaitingRelease.Count} awaiting PUBREL";
            }
        }

        /// <summary>Completes once <paramref name="n"/> messages were delivered.</summary>
        public Task Delivered(int n)
        {
            lock (_gate)
            {
                if (_messages.Count >= n)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((n, reached));
                return reached.Task;
            }
        }

        /// <summary>Receives until the connection ends.</summary>
        public async Task RunAsync(WireClient client)
        {
            try
            {
                while (true)
                {
                    if (await client.NextOrNullAsync(Timeout.InfiniteTimeSpan) is not { } packet)
                    {
                        continue;
                    }

                    switch (packet.Type)
                    {
                        case WirePacket.Publish:
                            var publish = client.ParsePublish(packet);
                            Assert.Equal(2, publish.QoS);
                            if (_awaitingRelease.Add(publish.PacketId))
                            {
                                Deliver(Deliveries.Index(publish.PayloadText), publish.Dup);
                            }

                            await client.PubRecAsync(publish.PacketId);
                            break;
                        case WirePacket.PubRel:
                            _awaitingRelease.Remove(packet.PacketId);
                            await client.PubCompAsync(packet.PacketId);
                            break;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException or WireClosedException)
            {
            }
        }

        private void Deliver(int index, bool dup)
        {
            lock (_gate)
            {
                _messages.Add(index);
                _deliveredWithDup += dup ? 1 : 0;
                foreach (var waiter in _waiters.Where(w => _messages.Count >= w.Count))
                {
                    waiter.Reached.TrySetResult();
                }
            }
        }
    }
}
