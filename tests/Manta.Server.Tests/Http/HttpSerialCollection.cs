namespace Manta.Server.Tests.Http;

/// <summary>
/// Tests that read counters exactly: the metrics pipeline listens to the broker's meter by name,
/// process-wide, so servers of other test classes running at the same time would add to the counts.
/// </summary>
[CollectionDefinition(nameof(HttpSerialCollection), DisableParallelization = true)]
public sealed class HttpSerialCollection;
