using Manta.Broker.Authentication;
using Manta.Broker.Diagnostics;
using Manta.Broker.Extensibility;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Channel.Handlers;

/// <summary>
/// MQTT 5 enhanced authentication (section 4.12) through an <see cref="IEnhancedAuthenticator"/>.
/// Connecting: CONNECT with an Authentication Method -> AUTH 0x18 back and forth -> CONNACK with
/// the final data (or the failure code). Connected: AUTH 0x19 with the same method starts a
/// re-authentication -> AUTH 0x18 back and forth -> AUTH 0x00 with the final data, or DISCONNECT
/// with the failure code (MQTT-4.12.1-2). Other packets keep flowing during a re-authentication,
/// under the previous authentication.
/// </summary>
/// <remarks>
/// The <see cref="IAuthenticator"/> does not run after an enhanced authentication: the enhanced
/// authenticator's principal is the one authorizers see.
/// </remarks>
internal static class AuthHandler
{
    /// <summary>First step of a CONNECT that carries <paramref name="method"/>.</summary>
    public static async ValueTask StartAsync(MqttChannel channel, ConnectPacket connect, string method, bool assigned)
    {
        if (channel.Broker.FindEnhancedAuthenticator(method) is not { } authenticator)
        {
            ConnectHandler.Refuse(channel, connect, ReasonCode.BadAuthenticationMethod, $"authentication method '{method}' is not supported");
            return;
        }

        var exchange = new AuthExchange(authenticator, connect, assigned);
        var request = new AuthenticationRequest(connect, channel.ClientId, channel.Connection);
        var data = connect.Properties?.AuthenticationData ?? ReadOnlyMemory<byte>.Empty;
        var step = await authenticator.StartAsync(request, data, CancellationToken.None).ConfigureAwait(false);
        await OnConnectStepAsync(channel, exchange, step).ConfigureAwait(false);
    }

    /// <summary>An AUTH from the client: the next step of a connect exchange, or a re-authentication.</summary>
    public static ValueTask HandleAsync(MqttChannel channel, AuthPacket auth)
    {
        var method = auth.Properties?.AuthenticationMethod;
        if (channel.State == ChannelState.Authenticating)
        {
            var exchange = channel.Authentication!;
            if (auth.ReasonCode != ReasonCode.ContinueAuthentication)
            {
                throw new MqttProtocolException(ReasonCode.ProtocolError, $"AUTH {auth.ReasonCode} while connecting; only 0x18 (continue authentication) is allowed (section 4.12)");
            }

            RequireMethod(exchange.Method, method);
            return ContinueConnectAsync(channel, exchange, auth);
        }

        if (channel.ReauthenticationRequest is not { } request)
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, "AUTH without an Authentication Method in CONNECT (section 4.12)");
        }

        var connectedWith = request.Connect.Properties!.AuthenticationMethod!;
        RequireMethod(connectedWith, method);
        return auth.ReasonCode switch
        {
            ReasonCode.ReAuthenticate when channel.Authentication is null => StartReauthenticationAsync(channel, request, auth),
            ReasonCode.ReAuthenticate => throw new MqttProtocolException(ReasonCode.ProtocolError, "AUTH 0x19 while a re-authentication is under way"),
            ReasonCode.ContinueAuthentication when channel.Authentication is { } exchange => ContinueReauthenticationAsync(channel, exchange, auth),
            ReasonCode.ContinueAuthentication => throw new MqttProtocolException(ReasonCode.ProtocolError, "AUTH 0x18 without an authentication exchange under way"),
            _ => throw new MqttProtocolException(ReasonCode.ProtocolError, $"AUTH {auth.ReasonCode} is never sent by a client"),
        };
    }

    private static async ValueTask ContinueConnectAsync(MqttChannel channel, AuthExchange exchange, AuthPacket auth)
    {
        var step = await exchange.Authenticator.ContinueAsync(exchange.State, Data(auth), CancellationToken.None).ConfigureAwait(false);
        await OnConnectStepAsync(channel, exchange, step).ConfigureAwait(false);
    }

    private static async ValueTask OnConnectStepAsync(MqttChannel channel, AuthExchange exchange, AuthenticationStep step)
    {
        var connect = exchange.PendingConnect!;
        if (channel.State == ChannelState.Closed)
        {
            // Timed out or gone while the authenticator ran.
            return;
        }

        switch (step.Kind)
        {
            case AuthenticationStepKind.Continue:
                exchange.State = step.State;
                channel.Authentication = exchange;
                channel.BeginAuthentication();
                channel.Send(Auth(ReasonCode.ContinueAuthentication, exchange.Method, step.Data));
                return;
            case AuthenticationStepKind.Success when step.Principal is { } principal:
                channel.Authentication = null;
                channel.ReauthenticationRequest = new AuthenticationRequest(SlimConnect(connect, exchange.Method), channel.ClientId, channel.Connection);
                var final = new MqttProperties { AuthenticationMethod = exchange.Method, AuthenticationData = step.Data.ToArray() };
                await ConnectHandler.CompleteAsync(channel, connect, principal, exchange.AssignedClientId, final).ConfigureAwait(false);
                return;
            default:
                channel.Authentication = null;
                ConnectHandler.Refuse(channel, connect, FailureCode(step), step.Reason ?? "refused by the authenticator");
                return;
        }
    }

    private static async ValueTask StartReauthenticationAsync(MqttChannel channel, AuthenticationRequest request, AuthPacket auth)
    {
        var authenticator = channel.Broker.FindEnhancedAuthenticator(request.Connect.Properties!.AuthenticationMethod!)!;
        var exchange = new AuthExchange(authenticator, pendingConnect: null, assignedClientId: false);
        var step = await authenticator.StartAsync(request, Data(auth), CancellationToken.None).ConfigureAwait(false);
        OnReauthenticationStep(channel, exchange, step);
    }

    private static async ValueTask ContinueReauthenticationAsync(MqttChannel channel, AuthExchange exchange, AuthPacket auth)
    {
        var step = await exchange.Authenticator.ContinueAsync(exchange.State, Data(auth), CancellationToken.None).ConfigureAwait(false);
        OnReauthenticationStep(channel, exchange, step);
    }

    private static void OnReauthenticationStep(MqttChannel channel, AuthExchange exchange, AuthenticationStep step)
    {
        if (channel.State == ChannelState.Closed)
        {
            return;
        }

        switch (step.Kind)
        {
            case AuthenticationStepKind.Continue:
                exchange.State = step.State;
                channel.Authentication = exchange;
                channel.Send(Auth(ReasonCode.ContinueAuthentication, exchange.Method, step.Data));
                return;
            case AuthenticationStepKind.Success when step.Principal is { } principal:
                channel.Authentication = null;
                channel.Principal = principal;
                channel.Send(Auth(ReasonCode.Success, exchange.Method, step.Data));
                return;
            default:
                channel.Authentication = null;
                var code = FailureCode(step);
                var why = step.Reason ?? "refused by the authenticator";
                BrokerLog.ConnectRefused(channel.Broker.Logger, channel.Connection.RemoteEndPoint, channel.ClientId, code, "re-authentication failed: " + why);
                channel.DisconnectWith(code, why);
                return;
        }
    }

    /// <summary>Every AUTH of an exchange carries the method it began with (MQTT-4.12.1-1 for re-authentication).</summary>
    private static void RequireMethod(string expected, string? actual)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, $"AUTH carries authentication method '{actual}', the exchange uses '{expected}' (section 4.12)");
        }
    }

    /// <summary>A failure must carry an error code; anything else is treated as 0x87.</summary>
    private static ReasonCode FailureCode(AuthenticationStep step)
        => step.Kind == AuthenticationStepKind.Fail && (byte)step.ReasonCode >= 0x80 ? step.ReasonCode : ReasonCode.NotAuthorized;

    private static ReadOnlyMemory<byte> Data(AuthPacket auth) => auth.Properties?.AuthenticationData ?? ReadOnlyMemory<byte>.Empty;

    private static AuthPacket Auth(ReasonCode code, string method, ReadOnlyMemory<byte> data) => new()
    {
        ReasonCode = code,
        Properties = new MqttProperties { AuthenticationMethod = method, AuthenticationData = data.IsEmpty ? null : data.ToArray() },
    };

    /// <summary>What re-authentication needs of the CONNECT, without its will and password.</summary>
    private static ConnectPacket SlimConnect(ConnectPacket connect, string method) => new()
    {
        ProtocolName = connect.ProtocolName,
        ProtocolVersion = connect.ProtocolVersion,
        CleanStart = connect.CleanStart,
        KeepAliveSeconds = connect.KeepAliveSeconds,
        ClientId = connect.ClientId,
        UserName = connect.UserName,
        Properties = new MqttProperties { AuthenticationMethod = method },
    };
}
