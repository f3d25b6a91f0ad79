using Manta.Protocol;

namespace Manta.Broker.Persistence;

/// <summary>A message as stored: topic, payload, the v5 properties forwarded with it (encoded), QoS, retain, wall-clock expiry.</summary>
public sealed record StoredMessage(string Topic, byte[] Payload, byte[] Properties, QualityOfService QoS, bool Retain, long? ExpiresAtUnixMs);
