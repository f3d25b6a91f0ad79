using BenchmarkDotNet.Running;

namespace Manta.Benchmarks;

/// <summary>
/// Entry point: BenchmarkSwitcher lets one command pick benchmarks by filter
/// (e.g. <c>--filter '*'</c> for all, <c>--filter '*Publish*'</c> for some).
/// </summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
