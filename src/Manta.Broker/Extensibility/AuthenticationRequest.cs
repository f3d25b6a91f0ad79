using Manta.Protocol.Packets;

namespace Manta.Broker.Extensibility;

/// <summary>What an <see cref="IAuthenticator"/> decides on: the CONNECT and the connection it came over.</summary>
/// <param name="Connect">The CONNECT packet (client id already assigned when it was empty).</param>
/// <param name="ClientId">The effective client identifier.</param>
/// <param name="Connection">The transport facts (address, listener, client certificate).</param>
public sealed record AuthenticationRequest(ConnectPacket Connect, string ClientId, ConnectionInfo Connection);
