namespace Manta.Broker.Connections;

/// <summary>
/// A connection's outbound queue: control packets from its read loop and deliveries from any
/// publisher, in order, drained by the connection's write loop - the only writer to its pipe.
/// Publishers hand off here and never wait.
/// </summary>
internal sealed class Outbox
{
    /// <summary>
    /// Acknowledgements and other answers the read loop may have queued before it stops reading:
    /// a client that sends without reading its answers gets TCP backpressure instead of growing
    /// the broker's memory.
    /// </summary>
    public const int ControlBacklogLimit = 1024;

    private readonly Lock _gate = new();
    private readonly Queue<OutboundItem> _items = new();
    private readonly AsyncSignal _signal = new();
    private readonly AsyncSignal _drained = new();
    private readonly int _maximumQos0;
    private readonly long _maximumQos0Bytes;
    private int _qos0Count;
    private long _qos0Bytes;
    private int _controlCount;
    private bool _readerWaiting;
    private bool _closed;

    /// <param name="maximumQos0">QoS 0 deliveries held at once; more are dropped (a slow reader must not grow memory).</param>
    /// <param name="maximumQos0Bytes">Bytes of QoS 0 deliveries held at once; 0: no byte limit.</param>
    /// <param name="flow">Publisher backpressure for this connection; every delivery held here counts towards it.</param>
    /// <param name="store">The session store, when items may wait for its commits.</param>
    public Outbox(int maximumQos0, long maximumQos0Bytes, FlowGate flow, Persistence.ISessionStore? store = null)
    {
        _maximumQos0 = maximumQos0;
        _maximumQos0Bytes = maximumQos0Bytes;
        Flow = flow;
        Store = store;
    }

    /// <summary>The store whose commits items with <see cref="OutboundItem.NotBefore"/> wait for; null without one.</summary>
    public Persistence.ISessionStore? Store { get; }

    /// <summary>Publisher backpressure for this connection.</summary>
    public FlowGate Flow { get; }

    /// <summary>Bytes of QoS 0 deliveries waiting to be written.</summary>
    public long Qos0Bytes
    {
        get
        {
            lock (_gate)
            {
                return _qos0Bytes;
            }
        }
    }

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
                var size = item.Message!.Size;
                if (_qos0Count >= _maximumQos0 || (_maximumQos0Bytes > 0 && _qos0Bytes + size > _maximumQos0Bytes))
                {
                    return false;
                }

                _qos0Count++;
                _qos0Bytes += size;
            }
            else if (item.Kind != OutboundKind.Publish)
            {
                _controlCount++;
            }

            _items.Enqueue(item);
            if (item.Kind == OutboundKind.Publish)
            {
                Flow.Add(1, item.Message!.Size);
            }
        }

        _signal.Set();
        return true;
    }

    /// <summary>
    /// Moves up to <paramref name="batch"/>.Length items into <paramref name="batch"/>; returns how
    /// many. Stops before an item whose store position is not yet durable and says which
    /// position in <paramref name="blockedAt"/> (0 when not blocked).
    /// </summary>
    public int Drain(OutboundItem[] batch, out long blockedAt)
    {
        blockedAt = 0;
        var wakeReader = false;
        var publishes = 0;
        long publishBytes = 0;
        int n;
        lock (_gate)
        {
            n = 0;
            while (n < batch.Length && _items.TryPeek(out var next))
            {
                if (next.NotBefore > 0 && next.NotBefore > Store!.DurablePosition)
                {
                    blockedAt = next.NotBefore;
                    break;
                }

                var item = _items.Dequeue();
                if (item.Kind == OutboundKind.Publish)
                {
                    publishes++;
                    publishBytes += item.Message!.Size;
                    if (item.QoS == Protocol.QualityOfService.AtMostOnce)
                    {
                        _qos0Count--;
                        _qos0Bytes -= item.Message!.Size;
                    }
                }
                else
                {
                    _controlCount--;
                }

                batch[n++] = item;
            }

            if (_readerWaiting && _controlCount <= ControlBacklogLimit / 2)
            {
                _readerWaiting = false;
                wakeReader = true;
            }
        }

        if (publishes > 0)
        {
            Flow.Add(-publishes, -publishBytes);
        }

        if (wakeReader)
        {
            _drained.Set();
        }

        return n;
    }

    /// <summary>True when the read loop should wait (<see cref="WaitForRoomAsync"/>) before reading more.</summary>
    public bool IsBacklogged
    {
        get
        {
            lock (_gate)
            {
                if (_controlCount <= ControlBacklogLimit || _closed)
                {
                    return false;
                }

                _readerWaiting = true;
                return true;
            }
        }
    }

    /// <summary>Waits until the writer has drained the backlog to half the limit (or the outbox closed).</summary>
    public ValueTask WaitForRoomAsync() => _drained.WaitAsync();

    /// <summary>Waits until something is queued or the outbox is closed.</summary>
    public ValueTask WaitAsync() => _signal.WaitAsync();

    /// <summary>Wakes the writer and a read loop waiting for room, without queueing anything (to make them notice a close).</summary>
    public void Wake()
    {
        _signal.Set();
        _drained.Set();
    }

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
            _qos0Bytes = 0;
            _controlCount = 0;
        }

        Flow.Dispose();
        _signal.Set();
        _drained.Set();
    }
}
