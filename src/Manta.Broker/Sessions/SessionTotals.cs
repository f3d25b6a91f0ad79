namespace Manta.Broker.Sessions;

/// <summary>Counts summed over every session in one pass (<see cref="SessionRegistry.Totals"/>), for metrics.</summary>
/// <param name="Sessions">Sessions, connected or not.</param>
/// <param name="Connected">Sessions with a connection attached.</param>
/// <param name="Inflight">Outbound QoS 1/2 messages awaiting acknowledgement.</param>
/// <param name="Queued">Deliveries queued beyond the inflight window or while the client is away.</param>
public readonly record struct SessionTotals(long Sessions, long Connected, long Inflight, long Queued);
