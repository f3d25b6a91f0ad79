using System.Net;
using Manta.Protocol;
using Microsoft.Extensions.Logging;

namespace Manta.Broker.Diagnostics;

/// <summary>The broker's log events, source-generated, with stable event ids grouped by area (1xxx connections, 2xxx sessions, 3xxx protocol).</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(1001, LogLevel.Debug, "Client {ClientId} connected from {RemoteEndPoint} (MQTT {Version}, clean start {CleanStart}, keep-alive {KeepAlive}s, session present {SessionPresent})")]
    public static partial void ClientConnected(ILogger logger, string clientId, EndPoint? remoteEndPoint, string version, bool cleanStart, int keepAlive, bool sessionPresent);

    [LoggerMessage(1002, LogLevel.Debug, "Client {ClientId} disconnected from {RemoteEndPoint}: {Reason}")]
    public static partial void ClientDisconnected(ILogger logger, string clientId, EndPoint? remoteEndPoint, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "Connection from {RemoteEndPoint} refused for client {ClientId}: {ReasonCode} ({Why})")]
    public static partial void ConnectRefused(ILogger logger, EndPoint? remoteEndPoint, string clientId, ReasonCode reasonCode, string why);

    [LoggerMessage(1004, LogLevel.Information, "Connection from {RemoteEndPoint} closed: no CONNECT within {Seconds}s")]
    public static partial void ConnectTimeout(ILogger logger, EndPoint? remoteEndPoint, double seconds);

    [LoggerMessage(1005, LogLevel.Information, "Client {ClientId} at {RemoteEndPoint} closed: keep-alive of {KeepAlive}s expired")]
    public static partial void KeepAliveTimeout(ILogger logger, string clientId, EndPoint? remoteEndPoint, int keepAlive);

    [LoggerMessage(1006, LogLevel.Warning, "Connection {ConnectionId} from {RemoteEndPoint} failed")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(1007, LogLevel.Error, "Heartbeat work failed; the heartbeat goes on")]
    public static partial void TickFailed(ILogger logger, Exception exception);

    [LoggerMessage(2001, LogLevel.Information, "Session {ClientId} taken over by a new connection from {RemoteEndPoint}")]
    public static partial void SessionTakenOver(ILogger logger, string clientId, EndPoint? remoteEndPoint);

    [LoggerMessage(2002, LogLevel.Information, "Session {ClientId} expired")]
    public static partial void SessionExpired(ILogger logger, string clientId);

    [LoggerMessage(2003, LogLevel.Debug, "Will of {ClientId} published to {Topic}")]
    public static partial void WillPublished(ILogger logger, string clientId, string topic);

    [LoggerMessage(2004, LogLevel.Warning, "Subscriber {ClientId} made no progress for {Seconds}s with {Held} deliveries held; publishers no longer wait for it and its queue bounds apply")]
    public static partial void SlowConsumerStalled(ILogger logger, string clientId, int held, double seconds);

    [LoggerMessage(3001, LogLevel.Warning, "Protocol violation by {ClientId} at {RemoteEndPoint}: {ReasonCode} {Detail}; closing the connection")]
    public static partial void ProtocolViolation(ILogger logger, string clientId, EndPoint? remoteEndPoint, ReasonCode reasonCode, string detail);
}
