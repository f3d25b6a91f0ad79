using System.Text.Json.Serialization;

namespace Manta.Bench;

/// <summary>Source-generated JSON for <see cref="BenchResults"/>: snake_case names, one line.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(BenchResults))]
internal sealed partial class BenchJsonContext : JsonSerializerContext
{
}
