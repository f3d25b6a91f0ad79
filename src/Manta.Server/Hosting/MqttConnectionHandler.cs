using Manta.Broker;
using Microsoft.AspNetCore.Connections;

namespace Manta.Server.Hosting;

/// <summary>Hands each Kestrel connection's duplex pipe to the broker; TLS and WebSocket slot in as connection middleware in front of it.</summary>
public sealed class MqttConnectionHandler : ConnectionHandler
{
    private readonly MqttBroker _broker;
    private readonly string _listenerName;

    /// <summary>Creates the handler for one listener.</summary>
    public MqttConnectionHandler(MqttBroker broker, string listenerName)
    {
        _broker = broker;
        _listenerName = listenerName;
    }

    /// <inheritdoc />
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        var info = new Broker.ConnectionInfo(connection.ConnectionId, connection.RemoteEndPoint, connection.LocalEndPoint, _listenerName);
        return _broker.RunConnectionAsync(connection.Transport, info, connection.Abort, connection.ConnectionClosed);
    }
}
