namespace Manta.Broker.Limits;

/// <summary>What a ban matches.</summary>
public enum BanKind
{
    /// <summary>A client identifier.</summary>
    ClientId,

    /// <summary>A user name from CONNECT.</summary>
    UserName,

    /// <summary>A source IP address.</summary>
    Address,
}
