namespace Manta.Broker.Diagnostics;

/// <summary>The bounded set of reasons a delivery is dropped (metric tag values).</summary>
public static class DropReasons
{
    /// <summary>The session's queue was at its maximum.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The store held <c>MaximumStoredMessages</c> deliveries for persistent sessions.</summary>
    public const string StoreFull = "store_full";

    /// <summary>A QoS 0 message for an offline session (not queued by policy).</summary>
    public const string OfflineQos0 = "offline_qos0";

    /// <summary>The message expired before it could be delivered.</summary>
    public const string Expired = "expired";

    /// <summary>Too many QoS 0 messages waiting for a slow reader.</summary>
    public const string SlowReader = "slow_reader";

    /// <summary>Larger than the client's Maximum Packet Size.</summary>
    public const string TooLarge = "too_large";

    /// <summary>Over the client's publish rate or byte rate (v5 was told 0x96 / 0x97).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>Dropped to make room in a full queue (oldest first), or because a slow consumer was disconnected.</summary>
    public const string Overflow = "overflow";
}
