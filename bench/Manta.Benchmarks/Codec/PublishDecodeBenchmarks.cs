using System.Buffers;
using BenchmarkDotNet.Attributes;
using Manta.Protocol;
using Manta.Protocol.Codec;

namespace Manta.Benchmarks.Codec;

/// <summary>
/// The first step of the hot path: cut a PUBLISH out of the input and validate it in place.
/// Both steps must allocate nothing; the input is one segment, as a socket read usually is.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class PublishDecodeBenchmarks
{
    private ReadOnlySequence<byte> _v311;
    private ReadOnlySequence<byte> _v500;

    [GlobalSetup]
    public void Setup()
    {
        _v311 = new ReadOnlySequence<byte>(BenchmarkPackets.Encode(BenchmarkPackets.Publish(MqttProtocolVersion.V311, QualityOfService.AtMostOnce), MqttProtocolVersion.V311));
        _v500 = new ReadOnlySequence<byte>(BenchmarkPackets.Encode(BenchmarkPackets.Publish(MqttProtocolVersion.V500, QualityOfService.AtMostOnce), MqttProtocolVersion.V500));
    }

    [Benchmark(Baseline = true, Description = "3.1.1 QoS 0, 64 B payload")]
    public int Decode311() => Decode(_v311, MqttProtocolVersion.V311);

    [Benchmark(Description = "5.0 QoS 0, 64 B payload, 1 user property")]
    public int Decode500() => Decode(_v500, MqttProtocolVersion.V500);

    private static int Decode(ReadOnlySequence<byte> input, MqttProtocolVersion version)
    {
        // The broker's policy default (1 MiB); the limit check is part of what is measured.
        const int MaxPacketSize = 1024 * 1024;
        if (!MqttFrameReader.TryRead(ref input, MaxPacketSize, out var frame))
        {
            throw new InvalidOperationException("The benchmark packet is incomplete.");
        }

        PublishDecoder.Read(frame.Body.FirstSpan, frame.Flags, version, out var view);

        // Returned so the JIT cannot drop the work as dead code.
        return view.PayloadOffset + view.PayloadLength;
    }
}
