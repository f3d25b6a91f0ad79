using Manta.Broker.Subscriptions;

namespace Manta.Broker.Sessions;

/// <summary>
/// A delivery in a session's queue, with the shared subscription group it came through (null for
/// an ordinary subscription), so that a session ending with it can hand it to another member of
/// the group, and its durable delivery id (0 when not stored). Owns the delivery's message reference.
/// </summary>
internal readonly record struct QueuedDelivery(PendingDelivery Delivery, SharedGroup? Group, long Id = 0);
