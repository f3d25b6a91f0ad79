namespace Manta.Broker.Tests.Performance;

/// <summary>Tests that measure the whole process run alone.</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;
