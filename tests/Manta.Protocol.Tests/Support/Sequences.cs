using System.Buffers;

namespace Manta.Protocol.Tests.Support;

/// <summary>Builds multi-segment sequences split at chosen points.</summary>
internal static class Sequences
{
    /// <summary>Splits <paramref name="data"/> before each index in <paramref name="splits"/> (ascending).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] splits)
    {
        var boundaries = splits.Where(s => s > 0 && s < data.Length).Distinct().Order().ToList();
        boundaries.Add(data.Length);
        var start = 0;
        BufferSegment? first = null;
        BufferSegment? last = null;
        foreach (var end in boundaries)
        {
            // Copies, so a reader that looks past its segment finds nothing it should not.
            var chunk = data.AsSpan(start, end - start).ToArray();
            last = last is null ? (first = new BufferSegment(chunk)) : last.Append(chunk);
            start = end;
        }

        if (first is null || last is null)
        {
            return new ReadOnlySequence<byte>(data);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Every byte in its own segment.</summary>
    public static ReadOnlySequence<byte> EveryByte(byte[] data)
        => Split(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());
}
