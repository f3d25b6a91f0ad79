using System.Buffers;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class PublishDecoderTests
{
    private const MqttProtocolVersion V500 = MqttProtocolVersion.V500;

    // topic "a/b", id 0x0102, properties: payload format 1, message expiry 60, content type "js",
    // topic alias 4, user property ("k","v"); payload AA BB.
    private static readonly byte[] V5Body = Wire.Hex("0003 612F62 0102 16 01 01 02 0000003C 03 0002 6A73 23 0004 26 0001 6B 0001 76 AABB");

    [Fact]
    public void Reads_offsets_and_flags()
    {
        PublishDecoder.Read(V5Body, 0b1011, V500, out var view);
        Assert.Equal(QualityOfService.AtLeastOnce, view.QoS);
        Assert.True(view.Dup);
        Assert.True(view.Retain);
        Assert.Equal(0x0102, view.PacketId);
        Assert.Equal("a/b", System.Text.Encoding.UTF8.GetString(V5Body, view.TopicOffset, view.TopicLength));
        Assert.Equal(8, view.PropertiesOffset);
        Assert.Equal(0x16, view.PropertiesLength);
        Assert.Equal([0xAA, 0xBB], V5Body.AsSpan(view.PayloadOffset, view.PayloadLength).ToArray());
        Assert.Equal(4, view.TopicAlias);
        Assert.True(view.HasMessageExpiry);
        Assert.Equal(60u, view.MessageExpiryInterval);
        Assert.Equal(1, view.PayloadFormatIndicator);
        Assert.True(view.HasForwardableProperties);
        Assert.True(view.PropertiesNeedFiltering);
    }

    [Fact]
    public void V3_has_no_properties()
    {
        PublishDecoder.Read(Wire.Hex("0001 61 CC"), 0, MqttProtocolVersion.V311, out var view);
        Assert.Equal(0, view.PropertiesLength);
        Assert.Equal(3, view.PayloadOffset);
        Assert.Equal(1, view.PayloadLength);
        Assert.False(view.HasForwardableProperties);
        Assert.False(view.PropertiesNeedFiltering);
        Assert.Equal(0, view.PacketId);
    }

    [Fact]
    public void Only_alias_and_expiry_need_filtering_but_are_not_forwardable()
    {
        PublishDecoder.Read(Wire.Hex("0001 61 08 02 00000001 23 0001"), 0, V500, out var view);
        Assert.False(view.HasForwardableProperties);
        Assert.True(view.PropertiesNeedFiltering);
    }

    [Fact]
    public void Only_forwardable_properties_need_no_filtering()
    {
        PublishDecoder.Read(Wire.Hex("0001 61 02 01 00"), 0, V500, out var view);
        Assert.True(view.HasForwardableProperties);
        Assert.False(view.PropertiesNeedFiltering);
    }

    [Fact]
    public void Subscription_identifier_from_a_client_is_a_protocol_error_MQTT_3_3_4_6()
    {
        var ex = Assert.Throws<MqttProtocolException>(() => PublishDecoder.Read(Wire.Hex("0001 61 02 0B 01"), 0, V500, out _));
        Assert.Equal(ReasonCode.ProtocolError, ex.ReasonCode);
    }

    [Theory]
    [InlineData(0b0110, "0001 61 0001 00", ReasonCode.MalformedPacket)]
    [InlineData(0b1000, "0001 61 00", ReasonCode.MalformedPacket)]
    [InlineData(0b0010, "0001 61 0000 00", ReasonCode.ProtocolError)]
    [InlineData(0, "0001 23 00", ReasonCode.TopicNameInvalid)]
    [InlineData(0, "0000 00", ReasonCode.ProtocolError)]
    [InlineData(0, "0001 61 03 23 0000", ReasonCode.TopicAliasInvalid)]
    [InlineData(0, "0001 61 02 12 00", ReasonCode.MalformedPacket)]
    [InlineData(0, "0001 61 04 01 00 01 00", ReasonCode.ProtocolError)]
    [InlineData(0, "", ReasonCode.MalformedPacket)]
    [InlineData(0, "00", ReasonCode.MalformedPacket)]
    public void Read_rejects_with_the_exact_reason_code(byte flags, string body, ReasonCode expected)
    {
        var bytes = Wire.Hex(body);
        var ex = Assert.Throws<MqttProtocolException>(() => PublishDecoder.Read(bytes, flags, V500, out _));
        Assert.Equal(expected, ex.ReasonCode);
    }

    [Fact]
    public void Read_allocates_nothing()
    {
        PublishView view = default;
        for (var i = 0; i < 100; i++)
        {
            PublishDecoder.Read(V5Body, 0b0010, V500, out view);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            PublishDecoder.Read(V5Body, 0b0010, V500, out view);
        }

        var after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(before, after);
        Assert.Equal(4, view.TopicAlias);
    }

    [Fact]
    public void CopyForwardableProperties_drops_alias_expiry_and_subscription_ids_and_keeps_order()
    {
        PublishDecoder.Read(V5Body, 0b0010, V500, out var view);
        var properties = V5Body.AsSpan(view.PropertiesOffset, view.PropertiesLength);
        var destination = new byte[properties.Length];
        var n = PublishDecoder.CopyForwardableProperties(properties, destination);
        Assert.Equal("0101 03 0002 6A73 26 0001 6B 0001 76".Replace(" ", "", StringComparison.Ordinal), Wire.ToHex(destination[..n]));

        var withIds = Wire.Hex("0B 05 0B 8001 09 0001 FF");
        n = PublishDecoder.CopyForwardableProperties(withIds, destination);
        Assert.Equal("090001FF", Wire.ToHex(destination[..n]));
        Assert.Equal(0, PublishDecoder.CopyForwardableProperties(default, destination));
    }

    [Fact]
    public void Forwarded_properties_re_encode_to_an_equivalent_publish()
    {
        PublishDecoder.Read(V5Body, 0b0010, V500, out var view);
        var forwarded = new byte[view.PropertiesLength];
        var n = PublishDecoder.CopyForwardableProperties(V5Body.AsSpan(view.PropertiesOffset, view.PropertiesLength), forwarded);
        var writer = new ArrayBufferWriter<byte>();
        PublishEncoder.Write(
            writer, V500, V5Body.AsSpan(view.TopicOffset, view.TopicLength), QualityOfService.AtMostOnce, retain: false, dup: false, packetId: 0,
            V5Body.AsSpan(view.PayloadOffset, view.PayloadLength), forwarded.AsSpan(0, n),
            hasMessageExpiry: true, messageExpiryInterval: 59, subscriptionIdentifiers: [7], topicAlias: 0);
        var packet = (PublishPacket)Wire.Decode(writer.WrittenSpan.ToArray(), V500);
        Assert.Equal("a/b", packet.Topic);
        Assert.Equal(59u, packet.Properties!.MessageExpiryInterval);
        Assert.Equal([7u], packet.Properties.SubscriptionIdentifiers!);
        Assert.Equal("js", packet.Properties.ContentType);
        Assert.Null(packet.Properties.TopicAlias);
        Assert.Equal(new UserProperty("k", "v"), Assert.Single(packet.Properties.UserProperties!));
    }
}
