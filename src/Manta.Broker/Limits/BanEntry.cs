namespace Manta.Broker.Limits;

/// <summary>One configured ban (<c>Manta:Broker:Limits:Bans:N</c>).</summary>
public sealed class BanEntry
{
    /// <summary>What <see cref="Value"/> is.</summary>
    public BanKind Kind { get; set; }

    /// <summary>The client id, user name or IP address banned.</summary>
    public string Value { get; set; } = string.Empty;

    /// <summary>How long from start-up the ban lasts; null: until restart.</summary>
    public TimeSpan? Duration { get; set; }
}
