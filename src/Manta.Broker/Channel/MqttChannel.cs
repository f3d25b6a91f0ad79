using Manta.Broker.Authentication;
using Manta.Broker.Channel.Handlers;
using Manta.Broker.Connections;
using Manta.Broker.Diagnostics;
using Manta.Broker.Extensibility;
using Manta.Broker.Sessions;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;

namespace Manta.Broker.Channel;

/// <summary>
/// The per-connection MQTT state machine. It takes decoded frames and answers with actions - packets
/// put on the connection's outbox, messages handed to the router, a close request - and never
/// touches a socket, so it runs the same over Kestrel, in-memory pipes and benchmarks. One handler
/// per packet type; errors end in <see cref="ProtocolErrorResponder"/>.
/// </summary>
public sealed class MqttChannel
{
    private WillMessage? _will;
    private bool _publishWill;
    private int _closed;
    private ChannelState _state = ChannelState.AwaitingConnect;

    internal MqttChannel(MqttBroker broker, Outbox outbox, ConnectionInfo connection, IConnectionControl control)
    {
        Broker = broker;
        Outbox = outbox;
        Connection = connection;
        Control = control;
    }

    /// <summary>Protocol version from CONNECT (Unknown before).</summary>
    public MqttProtocolVersion Version { get; internal set; }

    /// <summary>Life-cycle state.</summary>
    public ChannelState State
    {
        get => Volatile.Read(ref _closed) == 1 ? ChannelState.Closed : _state;
        private set => _state = value;
    }

    /// <summary>The client id (assigned one when the client sent none); empty before CONNECT.</summary>
    public string ClientId { get; internal set; } = string.Empty;

    /// <summary>The attached session (null before CONNECT succeeded).</summary>
    public Session? Session { get; private set; }

    /// <summary>Effective keep-alive in seconds (0 = none).</summary>
    public int KeepAliveSeconds { get; internal set; }

    /// <summary>Transport facts.</summary>
    public ConnectionInfo Connection { get; }

    internal MqttBroker Broker { get; }

    internal Outbox Outbox { get; }

    internal IConnectionControl Control { get; }

    internal ClientPrincipal? Principal { get; set; }

    /// <summary>
    /// Queues an acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP) that may only go out once store
    /// position <paramref name="position"/> is committed (durability "sync"; 0: nothing of it was
    /// stored). It waits in the outbox, which is in order, so none overtakes another.
    /// </summary>
    internal void Acknowledge(OutboundItem ack, long position)
    {
        if (position > 0 && Outbox.Store is { AcknowledgesAfterCommit: true })
        {
            ack.NotBefore = position;
        }

        Outbox.TryEnqueue(ack);
    }

    /// <summary>The closed gate of a subscriber the last PUBLISH went to: the read loop waits for it before reading on.</summary>
    internal FlowGate? Backpressure { get; set; }

    /// <summary>Publish-rate bucket, when a rate is configured (created on first PUBLISH).</summary>
    internal Limits.TokenBucket? PublishBucket { get; set; }

    /// <summary>Byte-rate bucket, when a rate is configured (created on first PUBLISH).</summary>
    internal Limits.TokenBucket? ByteBucket { get; set; }

    /// <summary>v5 Topic Alias Maximum the client accepts from the server; 0 when none.</summary>
    internal ushort ClientTopicAliasMaximum { get; set; }

    /// <summary>Aliases the client has set on this connection (created on first use).</summary>
    internal TopicAliases.InboundTopicAliases? InboundAliases { get; set; }

    /// <summary>v5 Maximum Packet Size the client accepts; 0 when it set none.</summary>
    internal uint ClientMaximumPacketSize { get; set; }

    /// <summary>v5 session expiry the client connected with (DISCONNECT may not raise it from 0).</summary>
    internal uint ConnectedExpiryInterval { get; set; }

    /// <summary>The AUTH exchange under way (while connecting, or a re-authentication); null when none.</summary>
    internal AuthExchange? Authentication { get; set; }

    /// <summary>
    /// v5: what a re-authentication is asked about - a slim copy of the CONNECT that carried an
    /// Authentication Method (no will, no password); null when the client connected without one.
    /// </summary>
    internal Extensibility.AuthenticationRequest? ReauthenticationRequest { get; set; }

    /// <summary>Why the connection ended, for the disconnect log line.</summary>
    internal string CloseReason { get; set; } = "connection closed by client";

    /// <summary>Handles one frame; completes synchronously except where an extension point awaits.</summary>
    public ValueTask HandleAsync(MqttFrame frame)
    {
        if (State == ChannelState.Closed)
        {
            return ValueTask.CompletedTask;
        }

        if (State == ChannelState.AwaitingConnect && frame.Type != MqttPacketType.Connect)
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, $"first packet must be CONNECT, got {frame.Type} (MQTT-3.1.0-1)");
        }

        if (State == ChannelState.Authenticating && frame.Type is not (MqttPacketType.Auth or MqttPacketType.Disconnect))
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, $"only AUTH or DISCONNECT may follow a CONNECT with an Authentication Method until CONNACK, got {frame.Type} (section 4.12)");
        }

        switch (frame.Type)
        {
            case MqttPacketType.Publish:
                return PublishHandler.HandleAsync(this, frame);
            case MqttPacketType.PubAck:
                PubAckHandler.Handle(this, PublishResponseDecoder.Read(frame, Version).PacketId);
                return ValueTask.CompletedTask;
            case MqttPacketType.PubRec:
                var (received, code) = PublishResponseDecoder.Read(frame, Version);
                PubRecHandler.Handle(this, received, code);
                return ValueTask.CompletedTask;
            case MqttPacketType.PubRel:
                PubRelHandler.Handle(this, PublishResponseDecoder.Read(frame, Version).PacketId);
                return ValueTask.CompletedTask;
            case MqttPacketType.PubComp:
                PubCompHandler.Handle(this, PublishResponseDecoder.Read(frame, Version).PacketId);
                return ValueTask.CompletedTask;
            case MqttPacketType.PingReq:
                Decode<PingReqPacket>(frame);
                Outbox.TryEnqueue(OutboundItem.ForAck(OutboundKind.PingResp, 0));
                return ValueTask.CompletedTask;
            case MqttPacketType.Subscribe:
                return SubscribeHandler.HandleAsync(this, Decode<SubscribePacket>(frame));
            case MqttPacketType.Unsubscribe:
                UnsubscribeHandler.Handle(this, Decode<UnsubscribePacket>(frame));
                return ValueTask.CompletedTask;
            case MqttPacketType.Disconnect when State == ChannelState.Authenticating:
                // Nothing is connected yet: no session to touch, no will to keep.
                Decode<DisconnectPacket>(frame);
                Close("DISCONNECT during authentication");
                return ValueTask.CompletedTask;
            case MqttPacketType.Disconnect:
                DisconnectHandler.Handle(this, Decode<DisconnectPacket>(frame));
                return ValueTask.CompletedTask;
            case MqttPacketType.Connect:
                return ConnectHandler.HandleAsync(this, frame);
            case MqttPacketType.Auth:
                return AuthHandler.HandleAsync(this, Decode<AuthPacket>(frame));
            case MqttPacketType.Reserved:
                throw new MqttProtocolException(ReasonCode.MalformedPacket, "packet type 0 is reserved");
            default:
                throw new MqttProtocolException(ReasonCode.ProtocolError, $"{frame.Type} is never sent by a client");
        }
    }

    /// <summary>Answers a protocol violation as the specification prescribes and closes.</summary>
    public void OnProtocolError(MqttProtocolException exception) => ProtocolErrorResponder.Respond(this, exception.ReasonCode, exception.Message);

    /// <summary>The transport is gone (for whatever reason): detach the session, handle the will.</summary>
    public void OnTransportClosed()
    {
        var wasConnected = Session is not null;
        Interlocked.Exchange(ref _closed, 1);
        if (Session is { } session)
        {
            Broker.Sessions.Disconnect(this, session);
        }

        if (wasConnected)
        {
            BrokerLog.ClientDisconnected(Broker.Logger, ClientId, Connection.RemoteEndPoint, CloseReason);
        }
    }

    /// <summary>Enters <see cref="ChannelState.Authenticating"/>: the CONNECT waits for its AUTH exchange.</summary>
    internal void BeginAuthentication()
    {
        if (_state == ChannelState.AwaitingConnect)
        {
            State = ChannelState.Authenticating;
        }
    }

    /// <summary>Puts a packet object on the outbox.</summary>
    internal void Send(MqttPacket packet) => Outbox.TryEnqueue(OutboundItem.ForPacket(packet));

    /// <summary>Stops reading and asks the connection to close after writing what is queued.</summary>
    internal void Close(string reason)
    {
        // The read loop, the heartbeat and a takeover may all try to close; the first one wins.
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        CloseReason = reason;
        Control.CloseAfterFlush();
    }

    /// <summary>v5: DISCONNECT with <paramref name="code"/>; then close.</summary>
    internal void DisconnectWith(ReasonCode code, string reason)
    {
        if (State == ChannelState.Closed)
        {
            return;
        }

        if (State == ChannelState.Authenticating)
        {
            // No DISCONNECT before CONNACK: the exchange simply ends with the connection.
            Close(reason);
            return;
        }

        if (Version == MqttProtocolVersion.V500)
        {
            Send(new DisconnectPacket
            {
                ReasonCode = code,
                Properties = new Protocol.Properties.MqttProperties { ReasonString = reason },
            });
        }

        Close(reason);
    }

    internal void Accept(Session session, WillMessage? will)
    {
        Session = session;
        _will = will;
        _publishWill = will is not null;
        Authentication = null;
        State = ChannelState.Connected;
    }

    /// <summary>Normal DISCONNECT: the will is discarded (MQTT-3.1.2-10, MQTT-3.14.4-3).</summary>
    internal void DiscardWill() => _publishWill = false;

    /// <summary>Called by the registry under its lock when a new connection takes this session over.</summary>
    internal void OnTakenOver() => DisconnectWith(ReasonCode.SessionTakenOver, "session taken over by a new connection");

    /// <summary>Hands the will over once, if it is to be published, with its v5 delay.</summary>
    internal bool TakeWill(out WillMessage will, out uint delaySeconds)
    {
        if (!_publishWill || _will is null)
        {
            will = null!;
            delaySeconds = 0;
            return false;
        }

        _publishWill = false;
        will = _will;
        delaySeconds = will.Properties?.WillDelayInterval ?? 0;
        return true;
    }

    private T Decode<T>(MqttFrame frame)
        where T : MqttPacket => (T)MqttPacketDecoder.Decode(frame, Version);
}
