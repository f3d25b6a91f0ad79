using Manta.Broker.Diagnostics;
using Manta.Broker.Extensibility;
using Manta.Broker.Limits;
using Manta.Broker.Policy;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Channel.Handlers;

/// <summary>
/// CONNECT (section 3.1) as a pipeline of small checks: decode, admission, client identifier,
/// will policy, authentication (the <see cref="IAuthenticator"/>, or an enhanced authentication
/// exchange run by <see cref="AuthHandler"/> that comes back to <see cref="CompleteAsync"/>),
/// session (takeover, clean start), CONNACK, resend of the resumed session.
/// </summary>
internal static class ConnectHandler
{
    public static ValueTask HandleAsync(MqttChannel channel, MqttFrame frame)
    {
        if (channel.State != ChannelState.AwaitingConnect)
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, "second CONNECT on one connection (MQTT-3.1.0-2)");
        }

        ConnectPacket connect;
        try
        {
            connect = (ConnectPacket)MqttPacketDecoder.Decode(frame, MqttProtocolVersion.Unknown);
        }
        catch (MqttProtocolException)
        {
            channel.Version = ConnectVersionSniffer.Sniff(frame.Body);
            throw;
        }

        channel.Version = connect.ProtocolVersion;
        return HandleAsync(channel, connect);
    }

    private static async ValueTask HandleAsync(MqttChannel channel, ConnectPacket connect)
    {
        if (!Admit(channel, connect) || !TryAssignClientId(channel, connect, out var assigned) || !WillAllowed(channel, connect))
        {
            return;
        }

        if (connect.ProtocolVersion == MqttProtocolVersion.V500 && connect.Properties?.AuthenticationMethod is { } method)
        {
            // Enhanced authentication (section 4.12): the exchange decides, and on success calls CompleteAsync.
            await AuthHandler.StartAsync(channel, connect, method, assigned).ConfigureAwait(false);
            return;
        }

        var principal = await AuthenticateAsync(channel, connect).ConfigureAwait(false);
        if (principal is not null)
        {
            await CompleteAsync(channel, connect, principal, assigned, authentication: null).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The rest of CONNECT once the client is authenticated: will authorization, keep-alive,
    /// session, CONNACK (with the final Authentication Data of an enhanced authentication).
    /// </summary>
    internal static async ValueTask CompleteAsync(MqttChannel channel, ConnectPacket connect, ClientPrincipal principal, bool assigned, MqttProperties? authentication)
    {
        var broker = channel.Broker;
        var policy = broker.Policy;
        var clientId = channel.ClientId;
        var v5 = connect.ProtocolVersion == MqttProtocolVersion.V500;

        // A will is a publication made later on the client's behalf: it needs the same right, and
        // the client learns now rather than never (as Mosquitto does).
        if (connect.Will is { } pendingWill
            && broker.Authorizer is { } authorizer
            && !await authorizer.AuthorizeAsync(principal, MqttAction.Publish, pendingWill.Topic, CancellationToken.None).ConfigureAwait(false))
        {
            Refuse(channel, connect, ReasonCode.NotAuthorized, $"not authorized to publish the will to '{pendingWill.Topic}'");
            return;
        }

        if (channel.State is not (ChannelState.AwaitingConnect or ChannelState.Authenticating))
        {
            // The connection went away while an extension point ran.
            return;
        }

        channel.Principal = principal;

        // Keep alive: the policy's maximum replaces larger values and "none" (v5 announces it, MQTT-3.2.2-21).
        int keepAlive = connect.KeepAliveSeconds;
        if (policy.MaximumKeepAlive > 0 && (keepAlive == 0 || keepAlive > policy.MaximumKeepAlive))
        {
            keepAlive = policy.MaximumKeepAlive;
        }

        channel.KeepAliveSeconds = keepAlive;
        channel.ClientMaximumPacketSize = connect.Properties?.MaximumPacketSize ?? 0;
        channel.ClientTopicAliasMaximum = policy.SendTopicAliases ? connect.Properties?.TopicAliasMaximum ?? 0 : (ushort)0;

        uint expiry = v5 ? connect.Properties?.SessionExpiryInterval ?? 0 : connect.CleanStart ? 0u : uint.MaxValue;
        channel.ConnectedExpiryInterval = expiry;

        var outcome = broker.Sessions.Connect(channel, clientId, connect.CleanStart, expiry);
        if (outcome.Session is not { } session)
        {
            Refuse(channel, connect, ReasonCode.ClientIdentifierNotValid, "client identifier in use by a live connection");
            return;
        }

        var connAck = new ConnAckPacket { SessionPresent = outcome.SessionPresent, ReasonCode = ReasonCode.Success };
        if (v5)
        {
            connAck.Properties = ConnAckProperties(policy, assigned ? clientId : null, keepAlive != connect.KeepAliveSeconds ? (ushort)keepAlive : null);
            if (connect.Properties?.RequestResponseInformation == 1)
            {
                connAck.Properties.ResponseInformation = ResponseInformation(broker.Options.ResponseInformationPrefix, clientId);
            }

            if (authentication is not null)
            {
                connAck.Properties.AuthenticationMethod = authentication.AuthenticationMethod;
                connAck.Properties.AuthenticationData = authentication.AuthenticationData;
            }
        }

        channel.Accept(session, connect.Will);
        channel.Send(connAck);

        var receiveMaximum = connect.Properties?.ReceiveMaximum ?? ushort.MaxValue;
        session.Attach(channel.Outbox, Math.Min(receiveMaximum, policy.MaximumInflightMessages));

        BrokerLog.ClientConnected(broker.Logger, clientId, channel.Connection.RemoteEndPoint, VersionName(connect.ProtocolVersion), connect.CleanStart, keepAlive, outcome.SessionPresent);
    }

    /// <summary>Whether the broker takes this connection at all: shutdown, redirect, bans, rates, capacity.</summary>
    private static bool Admit(MqttChannel channel, ConnectPacket connect)
    {
        var broker = channel.Broker;
        var policy = broker.Policy;
        if (broker.IsStopping)
        {
            Refuse(channel, connect, ReasonCode.ServerUnavailable, "server shutting down");
            return false;
        }

        if (broker.Options.Redirect != ServerRedirect.None)
        {
            var code = broker.Options.Redirect == ServerRedirect.ServerMoved ? ReasonCode.ServerMoved : ReasonCode.UseAnotherServer;
            Refuse(channel, connect, code, $"use {broker.Options.ServerReference}", new MqttProperties { ServerReference = broker.Options.ServerReference });
            return false;
        }

        var address = (channel.Connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address;
        if (broker.Bans.IsBanned(BanKind.Address, address?.ToString())
            || broker.Bans.IsBanned(BanKind.ClientId, connect.ClientId.Length == 0 ? null : connect.ClientId)
            || broker.Bans.IsBanned(BanKind.UserName, connect.UserName))
        {
            Refuse(channel, connect, ReasonCode.Banned, "banned");
            return false;
        }

        if (!broker.ConnectionRates.TryAdmit(address))
        {
            Refuse(channel, connect, ReasonCode.ConnectionRateExceeded, "too many new connections from this address");
            return false;
        }

        if (policy.MaximumConnections > 0 && broker.Sessions.ConnectedCount >= policy.MaximumConnections)
        {
            Refuse(channel, connect, ReasonCode.ServerBusy, $"the server holds its maximum of {policy.MaximumConnections} connections");
            return false;
        }

        return true;
    }

    /// <summary>Client identifier (MQTT-3.1.3-6..8; v5 3.1.3.1 assigned identifiers); sets <see cref="MqttChannel.ClientId"/>.</summary>
    private static bool TryAssignClientId(MqttChannel channel, ConnectPacket connect, out bool assigned)
    {
        var clientId = connect.ClientId;
        assigned = false;
        if (clientId.Length == 0)
        {
            if (connect.ProtocolVersion == MqttProtocolVersion.V310)
            {
                Refuse(channel, connect, ReasonCode.ClientIdentifierNotValid, "MQTT 3.1 requires a client identifier");
                return false;
            }

            if (connect.ProtocolVersion == MqttProtocolVersion.V311 && !connect.CleanStart)
            {
                Refuse(channel, connect, ReasonCode.ClientIdentifierNotValid, "empty client identifier with clean session 0 (MQTT-3.1.3-8)");
                return false;
            }

            clientId = "manta-" + Guid.NewGuid().ToString("N");
            assigned = true;
        }

        channel.ClientId = clientId;
        return true;
    }

    /// <summary>The will against the policy: wills allowed, its QoS, its retain flag.</summary>
    private static bool WillAllowed(MqttChannel channel, ConnectPacket connect)
    {
        if (connect.Will is not { } will)
        {
            return true;
        }

        var policy = channel.Broker.Policy;
        if (!policy.WillsAllowed)
        {
            Refuse(channel, connect, connect.ProtocolVersion == MqttProtocolVersion.V500 ? ReasonCode.ImplementationSpecificError : ReasonCode.NotAuthorized, "will messages are not allowed here");
            return false;
        }

        if (will.QoS > policy.MaximumQoS || (will.QoS == QualityOfService.ExactlyOnce && policy.Qos2Publish != Qos2PublishHandling.Accept))
        {
            Refuse(channel, connect, ReasonCode.QoSNotSupported, $"will QoS {(int)will.QoS} exceeds the maximum QoS (MQTT-3.2.2-12)");
            return false;
        }

        if (will.Retain && policy.Retain == RetainPolicy.Disconnect)
        {
            Refuse(channel, connect, ReasonCode.RetainNotSupported, "retained will but retain is not available (MQTT-3.2.2-13)");
            return false;
        }

        return true;
    }

    /// <summary>The <see cref="IAuthenticator"/> for a CONNECT without an Authentication Method; null when refused.</summary>
    private static async ValueTask<ClientPrincipal?> AuthenticateAsync(MqttChannel channel, ConnectPacket connect)
    {
        var principal = new ClientPrincipal(channel.ClientId, connect.UserName);
        if (channel.Broker.Authenticator is not { } authenticator)
        {
            return principal;
        }

        var result = await authenticator.AuthenticateAsync(new AuthenticationRequest(connect, channel.ClientId, channel.Connection), CancellationToken.None).ConfigureAwait(false);
        if (result.ReasonCode != ReasonCode.Success || result.Principal is null)
        {
            Refuse(channel, connect, result.ReasonCode == ReasonCode.Success ? ReasonCode.NotAuthorized : result.ReasonCode, result.Reason ?? "refused by the authenticator");
            return null;
        }

        return result.Principal;
    }

    private static MqttProperties ConnAckProperties(BrokerPolicy policy, string? assignedClientId, ushort? serverKeepAlive)
    {
        var properties = new MqttProperties
        {
            AssignedClientIdentifier = assignedClientId,
            ServerKeepAlive = serverKeepAlive,
            MaximumPacketSize = (uint)policy.MaximumPacketSize,
        };

        if (policy.TopicAliasMaximum > 0)
        {
            properties.TopicAliasMaximum = policy.TopicAliasMaximum;
        }

        if (policy.ReceiveMaximum != ushort.MaxValue)
        {
            properties.ReceiveMaximum = policy.ReceiveMaximum;
        }

        var maxQos = policy.Qos2Publish == Qos2PublishHandling.Accept ? policy.MaximumQoS : (QualityOfService)Math.Min((int)policy.MaximumQoS, 1);
        if (maxQos < QualityOfService.ExactlyOnce)
        {
            properties.MaximumQoS = (byte)maxQos;
        }

        if (policy.Retain == RetainPolicy.Disconnect)
        {
            properties.RetainAvailable = 0;
        }

        return properties;
    }

    /// <summary>
    /// The topic prefix reserved for a client's responses (v5 3.2.2.3.15); none when not configured
    /// or when the client id cannot be part of a topic.
    /// </summary>
    private static string? ResponseInformation(string prefix, string clientId)
    {
        if (prefix.Length == 0 || clientId.AsSpan().IndexOfAny('+', '#', '\0') >= 0)
        {
            return null;
        }

        return prefix + clientId;
    }

    internal static void Refuse(MqttChannel channel, ConnectPacket connect, ReasonCode code, string why, MqttProperties? properties = null)
    {
        var broker = channel.Broker;
        broker.Metrics.ConnectionRejected(code);
        BrokerLog.ConnectRefused(broker.Logger, channel.Connection.RemoteEndPoint, connect.ClientId, code, why);
        var connAck = new ConnAckPacket { ReasonCode = code };
        if (connect.ProtocolVersion == MqttProtocolVersion.V500)
        {
            connAck.Properties = properties ?? new MqttProperties();
            connAck.Properties.ReasonString = why;
        }

        channel.Send(connAck);
        channel.Close($"CONNECT refused: {why}");
    }

    private static string VersionName(MqttProtocolVersion version) => version switch
    {
        MqttProtocolVersion.V310 => "3.1",
        MqttProtocolVersion.V311 => "3.1.1",
        MqttProtocolVersion.V500 => "5.0",
        _ => "?",
    };
}
