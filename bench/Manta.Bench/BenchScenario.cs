namespace Manta.Bench;

/// <summary>The traffic shapes the load generator can drive.</summary>
internal enum BenchScenario
{
    /// <summary>N publishers, each on its own topic <c>bench/fanin/{i}</c>; subscribers on the wildcard <c>bench/fanin/+</c>.</summary>
    FanIn,

    /// <summary>Publishers on the one exact topic <c>bench/fanout</c>; M subscribers on that exact topic.</summary>
    FanOut,

    /// <summary>N publisher/subscriber pairs, pair i alone on the exact topic <c>bench/pair/{i}</c>.</summary>
    Pairs,

    /// <summary>K connections that only keep alive, for the broker's memory per idle connection.</summary>
    Idle,

    /// <summary>A connect storm: CONNECT, CONNACK, DISCONNECT, close, as fast as possible with bounded parallelism.</summary>
    Connect,
}

internal static class BenchScenarioNames
{
    /// <summary>The name used on the command line and in the results.</summary>
    public static string Name(this BenchScenario scenario) => scenario switch
    {
        BenchScenario.FanIn => "fanin",
        BenchScenario.FanOut => "fanout",
        BenchScenario.Pairs => "pairs",
        BenchScenario.Idle => "idle",
        _ => "connect",
    };

    /// <summary>True for the scenarios that publish and subscribe.</summary>
    public static bool IsPubSub(this BenchScenario scenario) => scenario is BenchScenario.FanIn or BenchScenario.FanOut or BenchScenario.Pairs;
}
