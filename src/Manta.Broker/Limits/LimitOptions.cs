namespace Manta.Broker.Limits;

/// <summary>Rate limits and bans (configuration section <c>Manta:Broker:Limits</c>). 0 means "no limit" throughout.</summary>
public sealed class LimitOptions
{
    /// <summary>PUBLISH packets a second one client may send (sustained). Default 0: no limit.</summary>
    public double PublishRate { get; set; }

    /// <summary>PUBLISH packets a client may send in a burst above <see cref="PublishRate"/>. Default 0: the rate itself (one second's worth).</summary>
    public double PublishBurst { get; set; }

    /// <summary>PUBLISH bytes a second one client may send (sustained). Default 0: no limit.</summary>
    public double ByteRate { get; set; }

    /// <summary>PUBLISH bytes a client may send in a burst. Default 0: one second's worth.</summary>
    public double ByteBurst { get; set; }

    /// <summary>New connections a second from one address (IP). Default 0: no limit.</summary>
    public double ConnectionRatePerAddress { get; set; }

    /// <summary>Connections one address may open in a burst. Default 0: one second's worth.</summary>
    public double ConnectionBurstPerAddress { get; set; }

    /// <summary>
    /// After this many refused connections (rate exceeded) from one address within a minute, the
    /// address is banned for <see cref="AutoBanDuration"/>: a client reconnecting in a tight loop.
    /// Default 0: never.
    /// </summary>
    public int AutoBanAfterRefusals { get; set; }

    /// <summary>How long an automatic ban lasts. Default 5 minutes.</summary>
    public TimeSpan AutoBanDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Bans from configuration, applied at start.</summary>
    public List<BanEntry> Bans { get; set; } = [];
}
