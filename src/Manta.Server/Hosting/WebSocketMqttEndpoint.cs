using Manta.Broker;
using Manta.Server.Configuration;

namespace Manta.Server.Hosting;

/// <summary>
/// Serves MQTT over WebSocket on the ws/wss listeners: the request must be a WebSocket upgrade on
/// the listener's path, asking for one of the MQTT subprotocols (mqtt, mqttv3.1, mqttv5).
/// </summary>
internal static class WebSocketMqttEndpoint
{
    private static readonly string[] Subprotocols = ["mqtt", "mqttv3.1", "mqttv5"];

    public static void UseMqttOverWebSockets(this WebApplication app, MantaOptions options)
    {
        var listeners = options.EffectiveListeners.Where(l => l.IsWebSocket).ToArray();
        if (listeners.Length == 0)
        {
            return;
        }

        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            var listener = Array.Find(listeners, l => l.Port == context.Connection.LocalPort || (l.Port == 0 && context.Connection.LocalPort != 0));
            if (listener is null || !string.Equals(context.Request.Path, listener.WebSocketPath, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
                return;
            }

            var offered = context.WebSockets.WebSocketRequestedProtocols;
            var subprotocol = Subprotocols.FirstOrDefault(p => offered.Contains(p, StringComparer.OrdinalIgnoreCase));
            if (subprotocol is null)
            {
                // MQTT-6.0.0-3: the client offers "mqtt"; without an MQTT subprotocol this is not MQTT.
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            var broker = context.RequestServices.GetRequiredService<MqttBroker>();
            using var socket = await context.WebSockets.AcceptWebSocketAsync(subprotocol);
            var pipe = new WebSocketPipe(socket, broker.Policy.MaximumPacketSize);
            var info = new Broker.ConnectionInfo(
                context.Connection.Id,
                context.Connection.RemoteIpAddress is { } ip ? new System.Net.IPEndPoint(ip, context.Connection.RemotePort) : null,
                context.Connection.LocalIpAddress is { } local ? new System.Net.IPEndPoint(local, context.Connection.LocalPort) : null,
                listener.Name,
                context.Connection.ClientCertificate);
            var pumping = pipe.RunAsync(CancellationToken.None);
            await broker.RunConnectionAsync(pipe, info, socket.Abort, CancellationToken.None);
            await pumping;
        });
    }
}
