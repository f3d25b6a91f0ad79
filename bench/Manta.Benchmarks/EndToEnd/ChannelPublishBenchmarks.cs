using System.Globalization;
using BenchmarkDotNet.Attributes;
using Manta.Broker;
using Manta.Protocol;

namespace Manta.Benchmarks.EndToEnd;

/// <summary>
/// The broker's whole QoS 0 publish path without sockets: one publisher writes a round of
/// PUBLISH packets into its in-memory pipe; the broker decodes them, matches, queues them for
/// each subscriber, and each subscriber's write loop encodes them into its pipe. An operation is
/// one message published (delivered to every subscriber); the goal is 0 B allocated per
/// operation in steady state.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class ChannelPublishBenchmarks : IDisposable
{
    /// <summary>Messages per operation batch: the benchmark reports time and allocation per message.</summary>
    private const int MessagesPerInvoke = 1000;

    // A round takes milliseconds; this only turns a lost delivery into an error instead of a hang.
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(30);

    private readonly DeliveryCounter _counter = new();
    private readonly List<InMemoryClient> _subscribers = [];
    private readonly List<Task> _counting = [];
    private MqttBroker? _broker;
    private InMemoryClient? _publisher;
    private byte[] _burst = [];
    private long _bytesPerSubscriber;

    [Params(1, 10)]
    public int Subscribers { get; set; }

    /// <summary>
    /// Messages written to the publisher's pipe at once (one round); the benchmark waits for each
    /// round to reach every subscriber before writing the next. 50 is about one 4 KiB socket read
    /// of these packets; 1,000 is a burst that queues up to the policy's default limit of 1,000
    /// QoS 0 messages per subscriber (so none is dropped even if a write loop has not run yet).
    /// </summary>
    [Params(50, 1000)]
    public int MessagesPerWrite { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // No Start(): the heartbeat (keep-alive, expiry) is not part of the publish path.
        _broker = new MqttBroker(new BrokerOptions());
        var version = MqttProtocolVersion.V311;

        for (var i = 0; i < Subscribers; i++)
        {
            var subscriber = new InMemoryClient(string.Format(CultureInfo.InvariantCulture, "subscriber-{0}", i));
            subscriber.Start(_broker);
            await subscriber.SendAsync(BenchmarkPackets.Encode(BenchmarkPackets.PlainConnect(version, subscriber.ClientId), version));
            await subscriber.ExpectAsync(MqttPacketType.ConnAck);
            await subscriber.SendAsync(BenchmarkPackets.Encode(BenchmarkPackets.Subscribe(1, QualityOfService.AtMostOnce, BenchmarkPackets.Topic), version));
            await subscriber.ExpectAsync(MqttPacketType.SubAck);
            _subscribers.Add(subscriber);
            _counting.Add(_counter.CountAsync(subscriber.Incoming));
        }

        _publisher = new InMemoryClient("publisher");
        _publisher.Start(_broker);
        await _publisher.SendAsync(BenchmarkPackets.Encode(BenchmarkPackets.PlainConnect(version, _publisher.ClientId), version));
        await _publisher.ExpectAsync(MqttPacketType.ConnAck);

        if (MessagesPerInvoke % MessagesPerWrite != 0)
        {
            throw new InvalidOperationException($"{nameof(MessagesPerWrite)} must divide {MessagesPerInvoke}.");
        }

        // A 3.1.1 QoS 0 subscriber gets exactly the bytes that were published, so a round's size
        // per subscriber is the size of the round itself.
        var publish = BenchmarkPackets.Encode(BenchmarkPackets.Publish(version, QualityOfService.AtMostOnce), version);
        _burst = new byte[publish.Length * MessagesPerWrite];
        for (var i = 0; i < MessagesPerWrite; i++)
        {
            publish.CopyTo(_burst, i * publish.Length);
        }

        _bytesPerSubscriber = _burst.Length;

        // One pass before measuring proves the setup delivers (and fails fast if it does not).
        Publish();
    }

    [Benchmark(OperationsPerInvoke = MessagesPerInvoke, Description = "3.1.1 QoS 0, 64 B payload")]
    public void Publish()
    {
        for (var sent = 0; sent < MessagesPerInvoke; sent += MessagesPerWrite)
        {
            _counter.BeginRound(_bytesPerSubscriber, Subscribers);
            _publisher!.Send(_burst);
            _counter.WaitForRound(RoundTimeout);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_publisher is not null)
        {
            await _publisher.CloseAsync();
            await _publisher.Incoming.CompleteAsync();
        }

        foreach (var subscriber in _subscribers)
        {
            await subscriber.CloseAsync();
        }

        await Task.WhenAll(_counting);
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _counter.Dispose();
        GC.SuppressFinalize(this);
    }
}
