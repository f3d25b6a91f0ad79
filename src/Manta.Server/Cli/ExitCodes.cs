namespace Manta.Server.Cli;

/// <summary>The exit codes of every <c>manta</c> command.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Connection refused or failed (pub, sub), or the server failed while running.</summary>
    public const int Failed = 1;

    /// <summary>Usage or configuration error: bad arguments, a missing file, an invalid setting.</summary>
    public const int Usage = 2;
}
