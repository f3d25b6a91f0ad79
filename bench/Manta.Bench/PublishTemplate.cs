namespace Manta.Bench;

/// <summary>A pre-encoded PUBLISH and where to patch it.</summary>
/// <param name="Bytes">The whole packet.</param>
/// <param name="PayloadOffset">Where the payload starts; its first 8 bytes carry the send timestamp (Stopwatch ticks, little-endian).</param>
/// <param name="PacketIdOffset">Where the big-endian packet id sits, or -1 at QoS 0.</param>
internal sealed record PublishTemplate(byte[] Bytes, int PayloadOffset, int PacketIdOffset);
