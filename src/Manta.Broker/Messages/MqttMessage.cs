using System.Buffers;
using System.Text;
using Manta.Protocol;

namespace Manta.Broker.Messages;

/// <summary>
/// An application message as the broker holds it: one pooled buffer with the topic, the
/// forwardable v5 properties and the payload, shared by every subscriber it goes to and by the
/// retained store. Reference-counted: each holder (a queue entry, an inflight slot, the retained
/// store) owns one reference and gives it back with <see cref="Release"/>; the last release
/// returns the buffer and the object to the pool.
/// </summary>
public sealed class MqttMessage
{
    private readonly MessagePool? _pool;
    private byte[] _buffer = [];
    private int _references;
    private string? _topic;

    internal MqttMessage(MessagePool? pool) => _pool = pool;

    /// <summary>The publication's QoS.</summary>
    public QualityOfService QoS { get; internal set; }

    /// <summary>The retain flag as published.</summary>
    public bool Retain { get; internal set; }

    /// <summary>True when the publisher set a message expiry interval.</summary>
    public bool HasExpiry { get; internal set; }

    /// <summary>Broker-clock second at which the message expires (valid when <see cref="HasExpiry"/>).</summary>
    public long ExpiresAt { get; internal set; }

    /// <summary>Broker-clock timestamp of its receipt (or creation, for wills), for the publish-to-delivery histogram; 0 when unknown.</summary>
    public long ReceivedAt { get; internal set; }

    /// <summary>The session that published it (for no-local); null for messages the broker made.</summary>
    public object? Origin { get; internal set; }

    internal int TopicOffset { get; set; }

    internal int TopicLength { get; set; }

    internal int PropertiesOffset { get; set; }

    internal int PropertiesLength { get; set; }

    internal int PayloadOffset { get; set; }

    internal int PayloadLength { get; set; }

    /// <summary>Bytes the message holds (topic, forwarded properties, payload): what queue byte limits count.</summary>
    public int Size => TopicLength + PropertiesLength + PayloadLength;

    /// <summary>The topic name as UTF-8.</summary>
    public ReadOnlySpan<byte> TopicUtf8 => _buffer.AsSpan(TopicOffset, TopicLength);

    /// <summary>The topic name (materialised once, on first use; not used on the QoS 0 hot path).</summary>
    public string Topic => _topic ??= Encoding.UTF8.GetString(TopicUtf8);

    /// <summary>The payload.</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(PayloadOffset, PayloadLength);

    /// <summary>The payload as memory (valid while a reference is held).</summary>
    public ReadOnlyMemory<byte> PayloadMemory => _buffer.AsMemory(PayloadOffset, PayloadLength);

    /// <summary>The v5 properties forwarded unchanged, in wire form (without topic alias and message expiry).</summary>
    public ReadOnlySpan<byte> ForwardedProperties => _buffer.AsSpan(PropertiesOffset, PropertiesLength);

    internal byte[] Buffer => _buffer;

    /// <summary>Takes one more reference.</summary>
    public void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>Gives back one reference; the last one recycles the message.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            Recycle();
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("MqttMessage released more often than referenced.");
        }
    }

    /// <summary>
    /// Readies a recycled object for a new message of <paramref name="size"/> bytes and returns
    /// its buffer. Small buffers stay with the pooled object, so steady-state publishing rents
    /// nothing: the shared ArrayPool keeps only a few arrays per size and thread, far fewer than
    /// the messages a burst holds in flight.
    /// </summary>
    internal byte[] Initialize(int size)
    {
        if (_buffer.Length < size)
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, MessagePool.MinimumBufferSize));
        }

        _references = 1;
        _topic = null;
        Origin = null;
        HasExpiry = false;
        ExpiresAt = 0;
        return _buffer;
    }

    internal void SetTopic(string topic) => _topic = topic;

    private void Recycle()
    {
        _topic = null;
        Origin = null;
        if (_buffer.Length > MessagePool.RetainedBufferLimit || _pool is null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        _pool?.Return(this);
    }
}
