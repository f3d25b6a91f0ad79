namespace Manta.Server.Cli;

/// <summary>How <c>manta serve</c> writes its logs to the console (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>Human-readable lines (the default).</summary>
    Console,

    /// <summary>One JSON object per line.</summary>
    Json,
}
