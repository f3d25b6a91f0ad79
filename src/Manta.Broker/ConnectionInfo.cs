using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Manta.Broker;

/// <summary>Transport facts about one connection, handed over by the host.</summary>
/// <param name="ConnectionId">The host's id for the connection (for logs).</param>
/// <param name="RemoteEndPoint">The client's address.</param>
/// <param name="LocalEndPoint">The listener's address.</param>
/// <param name="ListenerName">The configured listener name.</param>
/// <param name="ClientCertificate">The TLS client certificate, when one was presented.</param>
public sealed record ConnectionInfo(
    string ConnectionId,
    EndPoint? RemoteEndPoint,
    EndPoint? LocalEndPoint,
    string ListenerName = "mqtt",
    X509Certificate2? ClientCertificate = null);
