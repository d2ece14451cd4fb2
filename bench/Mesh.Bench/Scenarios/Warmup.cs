using Mesh.Bench.Modes;

namespace Mesh.Bench.Scenarios;

/// <summary>
/// One short pass of each scenario a mode takes part in, before round 1 and not counted: JIT tiering in our hops,
/// TLS session machinery and buffer pools in all of them settle before anything is measured.
/// </summary>
internal static class Warmup
{
    public static void Run(RunningMode mode, Measure scenarios)
    {
        var supported = mode.Mode.Supports & scenarios;
        if ((supported & Measure.Bulk) != 0) _ = Bulk.Run(mode, 64L * 1024 * 1024);
        if ((supported & Measure.Latency) != 0) _ = Latency.Run(mode, new Latency.Settings(1000, 4, TimeSpan.FromSeconds(0.5), TimeSpan.Zero));
        if ((supported & (Measure.ConnRate | Measure.Idle)) != 0)
            _ = ConnectionRate.Run(mode, new ConnectionRate.Settings(4, TimeSpan.FromSeconds(0.5), TimeSpan.Zero));
    }
}
