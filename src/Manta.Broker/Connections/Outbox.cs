namespace Manta.Broker.Connections;

/// <summary>
/// A connection's outbound queue: control packets from its read loop and deliveries from any
/// publisher, in order, drained by the connection's write loop - the only writer to its pipe.
/// Publishers hand off here and never wait.
/// </summary>
internal sealed class Outbox
{
    private readonly Lock _gate = new();
    private readonly Queue<OutboundItem> _items = new();
    private readonly AsyncSignal _signal = new();
    private readonly int _maximumQos0;
    private int _qos0Count;
    private bool _closed;

    /// <param name="maximumQos0">QoS 0 deliveries held at once; more are dropped (a slow reader must not grow memory).</param>
    public Outbox(int maximumQos0) => _maximumQos0 = maximumQos0;

    /// <summary>Items waiting to be written.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>True once closed; nothing more is accepted.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Queues an item; false when closed (the caller keeps ownership of any message reference).</summary>
    public bool TryEnqueue(in OutboundItem item)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            if (item.Kind == OutboundKind.Publish && item.QoS == Protocol.QualityOfService.AtMostOnce)
            {
                if (_qos0Count >= _maximumQos0)
                {
                    return false;
                }

                _qos0Count++;
            }

            _items.Enqueue(item);
        }

        _signal.Set();
        return true;
    }

    /// <summary>Moves up to <paramref name="batch"/>.Length items into <paramref name="batch"/>; returns how many.</summary>
    public int Drain(OutboundItem[] batch)
    {
        lock (_gate)
        {
            var n = 0;
            while (n < batch.Length && _items.TryDequeue(out var item))
            {
                if (item.Kind == OutboundKind.Publish && item.QoS == Protocol.QualityOfService.AtMostOnce)
                {
                    _qos0Count--;
                }

                batch[n++] = item;
            }

            return n;
        }
    }

    /// <summary>Waits until something is queued or the outbox is closed.</summary>
    public ValueTask WaitAsync() => _signal.WaitAsync();

    /// <summary>Wakes the writer without queueing anything (to make it notice a close).</summary>
    public void Wake() => _signal.Set();

    /// <summary>Closes the outbox and gives back the message references of everything unsent.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            while (_items.TryDequeue(out var item))
            {
                item.Message?.Release();
            }

            _qos0Count = 0;
        }

        _signal.Set();
    }
}
