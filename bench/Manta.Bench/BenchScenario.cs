namespace Manta.Bench;

/// <summary>The traffic shapes the load generator can drive.</summary>
internal enum BenchScenario
{
    /// <summary>N publishers, each on its own topic <c>bench/fanin/{i}</c>; subscribers on the wildcard <c>bench/fanin/+</c>.</summary>
    FanIn,

    /// <summary>Publishers on the one exact topic <c>bench/fanout</c>; M subscribers on that exact topic.</summary>
    FanOut,
}
