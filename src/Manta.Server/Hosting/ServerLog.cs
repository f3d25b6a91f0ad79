namespace Manta.Server.Hosting;

/// <summary>The host's log events (event ids 9xxx).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(9001, LogLevel.Information, "MQTT listener {Name} on {Address}:{Port} ({Transport})")]
    public static partial void ListenerStarted(ILogger logger, string name, string address, int port, string transport);

    [LoggerMessage(9002, LogLevel.Information, "Stopping: closing {Connections} connection(s)")]
    public static partial void Stopping(ILogger logger, int connections);

    [LoggerMessage(9003, LogLevel.Warning, "Connection from {RemoteEndPoint} closed: {Reason} (the listener expects a PROXY protocol header)")]
    public static partial void ProxyHeaderRejected(ILogger logger, System.Net.EndPoint? remoteEndPoint, string reason);
}
