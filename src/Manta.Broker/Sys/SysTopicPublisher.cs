using System.Globalization;
using System.Reflection;
using System.Text;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Sys;

/// <summary>
/// Publishes the broker's state under <c>$SYS/broker/</c> every <see cref="BrokerOptions.SysInterval"/>,
/// as retained QoS 0 messages, with the topic names Mosquitto users know. Runs on the heartbeat.
/// Only subscriptions that name <c>$SYS</c> see them (filters starting with a wildcard do not match).
/// </summary>
internal sealed class SysTopicPublisher
{
    private static readonly string Version =
        typeof(SysTopicPublisher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private readonly MqttBroker _broker;
    private readonly long _startedAt;
    private long _nextAt;

    public SysTopicPublisher(MqttBroker broker)
    {
        _broker = broker;
        _startedAt = broker.Clock.Now;
        _nextAt = _startedAt;
    }

    /// <summary>Publishes when the interval has passed since the last time.</summary>
    public void OnTick(long now)
    {
        var interval = _broker.Options.SysInterval;
        if (interval <= TimeSpan.Zero || now < _nextAt)
        {
            return;
        }

        _nextAt = now + _broker.Clock.SecondsToTicks(interval.TotalSeconds);
        Publish(now);
    }

    private void Publish(long now)
    {
        var statistics = _broker.Metrics.Statistics;
        var sessions = _broker.Sessions.Count;
        var connected = _broker.Sessions.ConnectedCount;
        var uptime = (long)((now - _startedAt) / (double)_broker.Clock.TimeProvider.TimestampFrequency);

        Send("version", "manta " + Version);
        Send("uptime", uptime.ToString(CultureInfo.InvariantCulture) + " seconds");
        Send("clients/connected", connected);
        Send("clients/disconnected", sessions - connected);
        Send("clients/total", sessions);
        Send("connections/accepted", statistics.ConnectionsAccepted);
        Send("messages/received", statistics.MessagesReceived);
        Send("messages/sent", statistics.MessagesSent);
        Send("messages/dropped", statistics.MessagesDropped);
        Send("publish/messages/received", statistics.MessagesReceived);
        Send("publish/messages/sent", statistics.MessagesSent);
        Send("bytes/received", statistics.BytesReceived);
        Send("bytes/sent", statistics.BytesSent);
        Send("subscriptions/count", _broker.Index.Count);
        Send("retained messages/count", _broker.Retained.Count);
    }

    private void Send(string name, long value) => Send(name, value.ToString(CultureInfo.InvariantCulture));

    private void Send(string name, string value) => _broker.Publish(new PublishPacket
    {
        Topic = "$SYS/broker/" + name,
        Payload = Encoding.UTF8.GetBytes(value),
        QoS = QualityOfService.AtMostOnce,
        Retain = true,
    });
}
