using CsCheck;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.PropertyBased;

/// <summary>
/// The allocation-free reader of PUBACK, PUBREC, PUBREL and PUBCOMP gives what the full decoder
/// gives for every input: the same packet id and reason code, or the same rejection.
/// </summary>
public class PublishResponseDecoderPropertyTests
{
    private static readonly MqttPacketType[] Types = [MqttPacketType.PubAck, MqttPacketType.PubRec, MqttPacketType.PubRel, MqttPacketType.PubComp];

    private static readonly MqttProtocolVersion[] Versions =
        [MqttProtocolVersion.Unknown, MqttProtocolVersion.V310, MqttProtocolVersion.V311, MqttProtocolVersion.V500];

    [Fact]
    public void Any_body_flags_and_version_read_as_the_full_decoder_reads_them()
        => Gen.Select(Gen.Int[0, Types.Length - 1], Gen.Int[0, 15], Gen.Int[0, Versions.Length - 1], Gen.Byte.Array[0, 8], Gen.Int[0, 8]).Sample(
            (type, flags, version, body, split) =>
            {
                // Mostly the forms that matter: flags as the type wants them and a non-zero id.
                var expectedFlags = Types[type] == MqttPacketType.PubRel ? 2 : 0;
                var frame = new MqttFrame(Types[type], (byte)(flags < 12 ? expectedFlags : flags), Sequences.Split(body, Math.Min(split, body.Length)), body.Length + 2);
                AssertSame(frame, Versions[version]);
            },
            iter: 20000);

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "00 07", 7, ReasonCode.Success)]
    [InlineData(MqttProtocolVersion.V500, "12 34", 0x1234, ReasonCode.Success)]
    [InlineData(MqttProtocolVersion.V500, "00 01 10", 1, ReasonCode.NoMatchingSubscribers)]
    [InlineData(MqttProtocolVersion.V500, "00 01 80 00", 1, ReasonCode.UnspecifiedError)]
    [InlineData(MqttProtocolVersion.V500, "00 01 80 05 1F 00 02 6E 6F", 1, ReasonCode.UnspecifiedError)]
    public void The_forms_clients_send_are_read(MqttProtocolVersion version, string body, int packetId, ReasonCode reasonCode)
    {
        var frame = new MqttFrame(MqttPacketType.PubAck, 0, Sequences.Split(Wire.Hex(body)), 2);
        Assert.Equal(((ushort)packetId, reasonCode), PublishResponseDecoder.Read(frame, version));
    }

    [Fact]
    public void Reading_the_common_forms_allocates_nothing()
    {
        var v311 = new MqttFrame(MqttPacketType.PubAck, 0, Sequences.Split([0, 9]), 4);
        var v5 = new MqttFrame(MqttPacketType.PubRel, 2, Sequences.Split([0, 9, 0x92], 1), 5);
        PublishResponseDecoder.Read(v311, MqttProtocolVersion.V311);
        PublishResponseDecoder.Read(v5, MqttProtocolVersion.V500);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            PublishResponseDecoder.Read(v311, MqttProtocolVersion.V311);
            PublishResponseDecoder.Read(v5, MqttProtocolVersion.V500);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AssertSame(MqttFrame frame, MqttProtocolVersion version)
    {
        (ushort, ReasonCode)? expected = null;
        MqttProtocolException? expectedError = null;
        try
        {
            var packet = (PublishResponsePacket)MqttPacketDecoder.Decode(frame, version);
            expected = (packet.PacketId, packet.ReasonCode);
        }
        catch (MqttProtocolException exception)
        {
            expectedError = exception;
        }

        try
        {
            var actual = PublishResponseDecoder.Read(frame, version);
            Assert.True(expectedError is null, $"read {actual} where the decoder rejects: {expectedError?.Message}");
            Assert.Equal(expected, actual);
        }
        catch (MqttProtocolException exception)
        {
            Assert.True(expectedError is not null, $"rejected ({exception.Message}) where the decoder reads {expected}");
            Assert.Equal(expectedError.ReasonCode, exception.ReasonCode);
            Assert.Equal(expectedError.Message, exception.Message);
        }
    }
}
