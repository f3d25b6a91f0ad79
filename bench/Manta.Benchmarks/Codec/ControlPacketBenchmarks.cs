using System.Buffers;
using BenchmarkDotNet.Attributes;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;

namespace Manta.Benchmarks.Codec;

/// <summary>
/// CONNECT and SUBSCRIBE through the general packet codec. These are off the hot path (once per
/// connection, a few per session) and build packet objects, so they allocate; the numbers say
/// how much a connection storm costs in codec time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class ControlPacketBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private ConnectPacket _connect = new();
    private SubscribePacket _subscribe = new();
    private ReadOnlySequence<byte> _connectBytes;
    private ReadOnlySequence<byte> _subscribeBytes;

    [Params(MqttProtocolVersion.V311, MqttProtocolVersion.V500)]
    public MqttProtocolVersion Version { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _connect = BenchmarkPackets.Connect(Version, "device-000042");

        // Three filters: a device's usual command, configuration and firmware topics.
        _subscribe = BenchmarkPackets.Subscribe(
            packetId: 1,
            QualityOfService.AtLeastOnce,
            "devices/000042/commands/#",
            "devices/000042/config",
            "fleet/+/firmware");
        _connectBytes = new ReadOnlySequence<byte>(BenchmarkPackets.Encode(_connect, Version));
        _subscribeBytes = new ReadOnlySequence<byte>(BenchmarkPackets.Encode(_subscribe, Version));
    }

    [Benchmark]
    public MqttPacket DecodeConnect() => Decode(_connectBytes, Version);

    [Benchmark]
    public int EncodeConnect()
    {
        _output.ResetWrittenCount();
        return MqttPacketEncoder.Encode(_connect, Version, _output);
    }

    [Benchmark]
    public MqttPacket DecodeSubscribe() => Decode(_subscribeBytes, Version);

    [Benchmark]
    public int EncodeSubscribe()
    {
        _output.ResetWrittenCount();
        return MqttPacketEncoder.Encode(_subscribe, Version, _output);
    }

    private static MqttPacket Decode(ReadOnlySequence<byte> input, MqttProtocolVersion version)
    {
        if (!MqttFrameReader.TryRead(ref input, int.MaxValue, out var frame))
        {
            throw new InvalidOperationException("The benchmark packet is incomplete.");
        }

        return MqttPacketDecoder.Decode(frame, version);
    }
}
