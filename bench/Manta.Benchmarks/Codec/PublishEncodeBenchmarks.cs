using System.Buffers;
using BenchmarkDotNet.Attributes;
using Manta.Protocol;
using Manta.Protocol.Codec;

namespace Manta.Benchmarks.Codec;

/// <summary>
/// The fan-out step of the hot path: write one PUBLISH for one subscriber from the parts the
/// broker keeps (topic bytes, forwarded property bytes, payload) into a reused buffer writer.
/// Must allocate nothing.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class PublishEncodeBenchmarks
{
    // Per-subscriber identifier, as SUBSCRIBE with a Subscription Identifier of 42 would give.
    private static readonly uint[] SubscriptionIdentifiers = [42];

    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private byte[] _topic = [];
    private byte[] _payload = [];
    private byte[] _forwardedProperties = [];

    [GlobalSetup]
    public void Setup()
    {
        _topic = System.Text.Encoding.UTF8.GetBytes(BenchmarkPackets.Topic);
        _payload = BenchmarkPackets.Payload();

        // The forwarded properties are what the broker keeps of a received v5 PUBLISH: take them
        // from a real encoded packet rather than writing property bytes by hand.
        var encoded = BenchmarkPackets.Encode(BenchmarkPackets.Publish(MqttProtocolVersion.V500, QualityOfService.AtMostOnce), MqttProtocolVersion.V500);
        var input = new ReadOnlySequence<byte>(encoded);
        if (!MqttFrameReader.TryRead(ref input, int.MaxValue, out var frame))
        {
            throw new InvalidOperationException("The benchmark packet is incomplete.");
        }

        var body = frame.Body.FirstSpan;
        PublishDecoder.Read(body, frame.Flags, MqttProtocolVersion.V500, out var view);
        _forwardedProperties = body.Slice(view.PropertiesOffset, view.PropertiesLength).ToArray();
    }

    [Benchmark(Baseline = true, Description = "3.1.1 QoS 0, 64 B payload")]
    public int Encode311Qos0()
    {
        _output.ResetWrittenCount();
        return PublishEncoder.Write(
            _output,
            MqttProtocolVersion.V311,
            _topic,
            QualityOfService.AtMostOnce,
            retain: false,
            dup: false,
            packetId: 0,
            _payload,
            forwardedProperties: default,
            hasMessageExpiry: false,
            messageExpiryInterval: 0,
            subscriptionIdentifiers: default,
            topicAlias: 0);
    }

    [Benchmark(Description = "5.0 QoS 1, 64 B payload, user property + subscription id")]
    public int Encode500Qos1()
    {
        _output.ResetWrittenCount();
        return PublishEncoder.Write(
            _output,
            MqttProtocolVersion.V500,
            _topic,
            QualityOfService.AtLeastOnce,
            retain: false,
            dup: false,
            packetId: 17,
            _payload,
            _forwardedProperties,
            hasMessageExpiry: false,
            messageExpiryInterval: 0,
            SubscriptionIdentifiers,
            topicAlias: 0);
    }
}
