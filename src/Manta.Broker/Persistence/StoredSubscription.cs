using Manta.Protocol;

namespace Manta.Broker.Persistence;

/// <summary>A subscription as stored: the filter as sent (incl. <c>$share/g/</c>) and every option.</summary>
public sealed record StoredSubscription(string TopicFilter, QualityOfService MaximumQoS, bool NoLocal, bool RetainAsPublished, RetainHandling RetainHandling, uint Identifier);
