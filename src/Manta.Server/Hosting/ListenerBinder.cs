using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Manta.Broker;
using Manta.Server.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Manta.Server.Hosting;

/// <summary>Opens the configured MQTT listeners on Kestrel: plain TCP, or TLS (optionally mutual) in front of the same handler.</summary>
internal static class ListenerBinder
{
    public static void Bind(KestrelServerOptions kestrel, MantaOptions options)
    {
        foreach (var listener in options.EffectiveListeners)
        {
            var settings = listener;
            kestrel.Listen(Address(settings.Address), settings.Port, listen =>
            {
                if (settings.ProxyProtocol)
                {
                    // First, so the header is read before a TLS handshake.
                    var logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Manta.Server");
                    listen.Use(next => ProxyProtocolMiddleware.Create(next, logger));
                }

                if (settings.IsTls)
                {
                    UseTls(listen, settings, settings.Certificate.IsSet ? settings.Certificate : options.Certificate);
                }

                if (settings.IsWebSocket)
                {
                    // An HTTP endpoint: the WebSocket upgrade is served by WebSocketMqttEndpoint in the app pipeline.
                    listen.Protocols = HttpProtocols.Http1;
                    return;
                }

                var handler = new MqttConnectionHandler(listen.ApplicationServices.GetRequiredService<MqttBroker>(), settings.Name);
                listen.Run(handler.OnConnectedAsync);
            });
        }
    }

    private static IPAddress Address(string address) => address switch
    {
        "*" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.Parse(address),
    };

    private static void UseTls(ListenOptions listen, ListenerOptions listener, CertificateOptions certificateOptions)
    {
        var certificate = new ReloadingCertificate(certificateOptions);
        var validator = listener.ClientCertificates == ClientCertificatePolicy.None ? null : new ClientCertificateValidator(listener.ClientCaPath!);
        var alpn = listener.Alpn.Select(name => new SslApplicationProtocol(name)).ToList();
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, _) => certificate.Current,
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateMode = listener.ClientCertificates switch
            {
                ClientCertificatePolicy.Required => ClientCertificateMode.RequireCertificate,
                ClientCertificatePolicy.Optional => ClientCertificateMode.AllowCertificate,
                _ => ClientCertificateMode.NoCertificate,
            },
            ClientCertificateValidation = validator is null ? null : validator.Validate,
            OnAuthenticate = (_, ssl) =>
            {
                // Kestrel would offer its HTTP protocols; an MQTT listener offers only what is configured
                // (a wss listener keeps HTTP/1.1, which the WebSocket upgrade needs).
                if (!listener.IsWebSocket)
                {
                    ssl.ApplicationProtocols = alpn.Count > 0 ? alpn : null;
                }
            },
        });
    }
}
