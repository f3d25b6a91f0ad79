using System.Buffers;
using CsCheck;
using Manta.Protocol.Codec;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.PropertyBased;

public class FuzzPropertyTests
{
    private static readonly MqttProtocolVersion[] Versions =
        [MqttProtocolVersion.Unknown, MqttProtocolVersion.V310, MqttProtocolVersion.V311, MqttProtocolVersion.V500];

    /// <summary>Frames and decodes everything in <paramref name="bytes"/>; only MqttProtocolException may escape.</summary>
    private static void DecodeAll(byte[] bytes)
    {
        foreach (var version in Versions)
        {
            var buffer = Sequences.Split(bytes, bytes.Length / 3);
            try
            {
                while (MqttFrameReader.TryRead(ref buffer, 1 << 20, out var frame))
                {
                    MqttPacketDecoder.Decode(frame, version);
                    if (frame.Type == MqttPacketType.Publish)
                    {
                        PublishDecoder.Read(frame.Body.ToArray(), frame.Flags, version, out _);
                    }
                }
            }
            catch (MqttProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Random_bytes_only_ever_throw_MqttProtocolException()
        => Gen.Select(Gen.Byte, Gen.Byte.Array[0, 48]).Sample(
            (first, rest) =>
            {
                // A plausible remaining length keeps most inputs framed, so the decoder sees them.
                DecodeAll([first, (byte)rest.Length, .. rest]);
                DecodeAll([first, .. rest]);
            },
            iter: 20000);

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public void Mutated_valid_packets_only_ever_throw_MqttProtocolException(MqttProtocolVersion version)
        => Gen.Select(PacketGenerators.Packet(version), Gen.Int[0, 10_000], Gen.Byte, Gen.Int[0, 2]).Sample(
            (packet, position, value, mode) =>
            {
                var bytes = Wire.Encode(packet, version);
                var headerLength = bytes.Length > 1 && (bytes[1] & 0x80) != 0 ? 3 : 2;
                var body = bytes[headerLength..];
                switch (mode)
                {
                    case 0 when body.Length > 0:
                        body[position % body.Length] = value;
                        break;
                    case 1:
                        body = body[..(position % (body.Length + 1))];
                        break;
                    default:
                        body = [.. body, value];
                        break;
                }

                DecodeAll(Wire.Packet((byte)(bytes[0] ^ (mode == 2 && value < 16 ? value : 0)), body));
            },
            iter: 3000);
}
