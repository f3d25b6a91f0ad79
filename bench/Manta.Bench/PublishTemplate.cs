namespace Manta.Bench;

/// <summary>A pre-encoded PUBLISH and where to patch it.</summary>
/// <param name="Bytes">The whole packet.</param>
/// <param name="PayloadOffset">
/// Where the payload starts. Its first 8 bytes carry the send timestamp (<see cref="System.Diagnostics.Stopwatch"/>
/// ticks, little-endian), the next 8 the publisher's tag (see <see cref="PayloadTag"/>).
/// </param>
/// <param name="PacketIdOffset">Where the big-endian packet id sits, or -1 at QoS 0.</param>
internal sealed record PublishTemplate(byte[] Bytes, int PayloadOffset, int PacketIdOffset);

/// <summary>
/// The second 8 bytes of every payload (little-endian): the publisher's index in the top 24 bits
/// and its sequence number, counted from 0, in the low 40, so a subscriber can tell per
/// publisher what was lost, duplicated or reordered.
/// </summary>
internal static class PayloadTag
{
    /// <summary>Bytes the tool needs in every payload: timestamp (8) and tag (8).</summary>
    public const int Size = 16;

    /// <summary>Bits of the sequence number: 2^40 publishes per publisher, over 3 days at 3.5 M/s.</summary>
    public const int SequenceBits = 40;

    /// <summary>Most publishers one run can tell apart (2^24).</summary>
    public const int MaxPublishers = 1 << (64 - SequenceBits);

    public const ulong SequenceMask = (1UL << SequenceBits) - 1;

    public static ulong Of(int publisher, long sequence) => ((ulong)publisher << SequenceBits) | ((ulong)sequence & SequenceMask);
}
