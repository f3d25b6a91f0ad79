using CsCheck;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.PropertyBased;

public class RoundTripPropertyTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public void Generated_packets_survive_encode_frame_decode(MqttProtocolVersion version)
        => PacketGenerators.Packet(version).Sample(packet => Wire.AssertRoundTrip(packet, version), iter: 2000, print: PacketDump.Describe);

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public void Generated_packets_survive_a_split_input(MqttProtocolVersion version)
        => Gen.Select(PacketGenerators.Packet(version), Gen.Int[0, 1000]).Sample(
            (packet, seed) =>
            {
                var bytes = Wire.Encode(packet, version);
                var split = seed % (bytes.Length + 1);
                var decoded = Wire.Decode(Sequences.Split(bytes, split, split + 3), version);
                Assert.Equal(PacketDump.Describe(packet), PacketDump.Describe(decoded));
            },
            iter: 500);
}
