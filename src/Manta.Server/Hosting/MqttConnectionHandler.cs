using Manta.Broker;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

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
        // Over TLS, the client certificate (if any) reaches the authenticator.
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        var info = new Broker.ConnectionInfo(connection.ConnectionId, connection.RemoteEndPoint, connection.LocalEndPoint, _listenerName, certificate);
        // Not connection.ConnectionClosed: it fires as soon as the client has closed its side,
        // possibly before the broker has read what the client sent just before (a PUBLISH then
        // DISCONNECT then close, as mosquitto_pub does). The pipe's own completion ends the read.
        return _broker.RunConnectionAsync(connection.Transport, info, connection.Abort, CancellationToken.None);
    }
}
