using System.Collections.Concurrent;

namespace Manta.Broker.Messages;

/// <summary>
/// Recycles <see cref="MqttMessage"/> objects so that steady-state publishing allocates nothing.
/// Bounded: beyond <see cref="MaximumRetained"/> idle objects, returned ones are left to the GC.
/// </summary>
public sealed class MessagePool
{
    /// <summary>Idle objects kept: enough for the bursts a busy node holds in flight. With their buffers at most 16 MiB.</summary>
    public const int MaximumRetained = 16 * 1024;

    /// <summary>A buffer up to this size stays with its pooled message (typical IoT payloads are far smaller).</summary>
    public const int RetainedBufferLimit = 1024;

    /// <summary>Smallest buffer rented, so tiny messages share one size class.</summary>
    public const int MinimumBufferSize = 128;

    private readonly ConcurrentQueue<MqttMessage> _idle = new();
    private int _idleCount;

    /// <summary>A message object ready for <see cref="MqttMessage.Initialize"/>.</summary>
    internal MqttMessage Rent()
    {
        if (_idle.TryDequeue(out var message))
        {
            Interlocked.Decrement(ref _idleCount);
            return message;
        }

        return new MqttMessage(this);
    }

    internal void Return(MqttMessage message)
    {
        if (Interlocked.Increment(ref _idleCount) > MaximumRetained)
        {
            Interlocked.Decrement(ref _idleCount);
            return;
        }

        _idle.Enqueue(message);
    }
}
