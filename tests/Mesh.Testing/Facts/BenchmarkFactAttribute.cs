using Xunit.Abstractions;
using Xunit.Sdk;

namespace Mesh.Testing;

/// <summary>
/// A timing, not a test: runs only with <c>MESH_BENCH=1</c>, otherwise skipped with exactly <see cref="SkipReason"/> —
/// the one skip scripts/test.sh accepts. It carries the trait <c>Category=Benchmark</c>, so
/// <c>MESH_BENCH=1 dotnet test … --filter Category=Benchmark</c> runs all of them and nothing else.
/// </summary>
[TraitDiscoverer("Mesh.Testing.BenchmarkTraitDiscoverer", "Mesh.Testing")]
public sealed class BenchmarkFactAttribute : FactAttribute, ITraitAttribute
{
    public const string SkipReason = "benchmark: run with MESH_BENCH=1";
    public const string Category = "Benchmark";

    public static bool Enabled => Environment.GetEnvironmentVariable("MESH_BENCH") == "1";

    public override string? Skip
    {
        get => base.Skip ?? (Enabled ? null : SkipReason);
        set => base.Skip = value;
    }
}

/// <summary>Gives every <see cref="BenchmarkFactAttribute"/> test the trait Category=Benchmark.</summary>
public sealed class BenchmarkTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) =>
        [new("Category", BenchmarkFactAttribute.Category)];
}
