namespace Manta.Server.Tests.Support;

/// <summary>Every wait in this suite is bounded by one of these.</summary>
public static class Timeouts
{
    /// <summary>How long something that must happen may take (generous: the machine runs tests in parallel).</summary>
    public static readonly TimeSpan Expect = TimeSpan.FromSeconds(10);

    /// <summary>How long we watch for something that must NOT happen.</summary>
    public static readonly TimeSpan Absence = TimeSpan.FromMilliseconds(1200);

    /// <summary>Longest any external process may run.</summary>
    public static readonly TimeSpan Process = TimeSpan.FromSeconds(15);

    /// <summary>A unique topic prefix so tests never see each other's messages or retained state.</summary>
    public static string Topic(string name) => $"t/{name}/{Guid.NewGuid():N}";

    /// <summary>A unique client id of at most 23 characters (MQTT 3.1 limit).</summary>
    public static string ClientId(string prefix) => (prefix + Guid.NewGuid().ToString("N"))[..23];
}
