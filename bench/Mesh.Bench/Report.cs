using System.Globalization;
using Mesh.Bench.Modes;

namespace Mesh.Bench;

/// <summary>A column of the report: which scenario fills it and whether more is better.</summary>
internal sealed record Metric(string Key, string Header, Measure Scenario, bool HigherIsBetter, string Format);

/// <summary>Every round's numbers per mode and metric, and the two tables (absolute medians; ratios).</summary>
internal sealed class Report
{
    public static readonly Metric Bulk = new("bulk", "bulk GiB/s", Measure.Bulk, true, "0.00");
    public static readonly Metric Cpu = new("cpu", "CPU-s/GiB", Measure.Bulk, false, "0.00");
    public static readonly Metric P50 = new("p50", "p50 µs", Measure.Latency, false, "0");
    public static readonly Metric P99 = new("p99", "p99 µs", Measure.Latency, false, "0");
    /// <summary>How late the load generator itself sent (p99): when it is large the p99 column measures the box, not the hops.</summary>
    public static readonly Metric SenderLate = new("late", "gen. late p99 µs", Measure.Latency, false, "0");
    public static readonly Metric ConnRate = new("conn", "conn/s", Measure.ConnRate, true, "0");
    public static readonly Metric Idle = new("idle", "KiB/idle conn", Measure.Idle, false, "0.0");
    private static readonly Metric[] Metrics = [Bulk, Cpu, P50, P99, SenderLate, ConnRate, Idle];

    private readonly Dictionary<(string Mode, string Metric), List<double>> _values = [];
    private readonly IReadOnlyList<Mode> _modes;
    private readonly Measure _scenarios;

    public Report(IReadOnlyList<Mode> modes, Measure scenarios) { _modes = modes; _scenarios = scenarios; }

    public void Add(Mode mode, Metric metric, double value)
    {
        if (double.IsNaN(value)) return;
        if (!_values.TryGetValue((mode.Key, metric.Key), out var list)) _values[(mode.Key, metric.Key)] = list = [];
        list.Add(value);
    }

    public double Median(Mode mode, Metric metric)
    {
        if (!_values.TryGetValue((mode.Key, metric.Key), out var list) || list.Count == 0) return double.NaN;
        var sorted = list.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The better of the reference pairs (stunnel, haproxy) for one metric, and which it was.</summary>
    public (double Value, string? Name) BestPair(Metric metric)
    {
        var candidates = _modes.Where(m => m.IsReferencePair).Select(m => (Value: Median(m, metric), m.Name))
            .Where(c => !double.IsNaN(c.Value)).ToList();
        if (candidates.Count == 0) return (double.NaN, null);
        var best = metric.HigherIsBetter ? candidates.MaxBy(c => c.Value) : candidates.MinBy(c => c.Value);
        return (best.Value, best.Name);
    }

    public string Render(string header)
    {
        var shown = Metrics.Where(m => (m.Scenario & _scenarios) != 0).ToArray();
        var direct = _modes.FirstOrDefault(m => m.Key == "direct");
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine(header);
        w.WriteLine();
        w.WriteLine("Medians:");
        w.WriteLine();
        w.WriteLine("| mode | " + string.Join(" | ", shown.Select(m => m.Header)) + " |");
        w.WriteLine("|---" + string.Concat(shown.Select(_ => "|---:")) + "|");
        foreach (var mode in _modes)
            w.WriteLine($"| {mode.Name} | " + string.Join(" | ", shown.Select(m => Cell(Median(mode, m), m.Format))) + " |");

        w.WriteLine();
        w.WriteLine("Ratios (value ÷ reference; for GiB/s and conn/s more is better, for CPU, latency and memory less is better;");
        w.WriteLine("\"pair\" = the better of stunnel/haproxy for that column):");
        w.WriteLine();
        var ratioColumns = shown.Where(m => m != SenderLate).SelectMany(m => new[] { (Metric: m, ToDirect: true), (Metric: m, ToDirect: false) })
            .Where(c => !c.ToDirect || c.Metric.Key is "bulk" or "p50" or "p99" or "conn").ToArray(); // direct has no hops: no CPU or memory
        w.WriteLine("| mode | " + string.Join(" | ", ratioColumns.Select(c => $"{c.Metric.Header.Split(' ')[0]} ×{(c.ToDirect ? "direct" : "pair")}")) + " |");
        w.WriteLine("|---" + string.Concat(ratioColumns.Select(_ => "|---:")) + "|");
        foreach (var mode in _modes)
        {
            var cells = ratioColumns.Select(c =>
            {
                var reference = c.ToDirect ? (direct is null ? double.NaN : Median(direct, c.Metric)) : BestPair(c.Metric).Value;
                return Cell(Median(mode, c.Metric) / reference, "0.00");
            });
            w.WriteLine($"| {mode.Name} | " + string.Join(" | ", cells) + " |");
        }
        w.WriteLine();
        w.WriteLine("Better pair per column: " + string.Join(", ", shown.Select(m => $"{m.Header}: {BestPair(m).Name ?? "—"}")));
        return w.ToString();
    }

    /// <summary>
    /// This build against an earlier one (<c>--before</c>), row by row: after ÷ before for every metric of the run,
    /// with the direction that counts as better, so "no regression" reads off one table.
    /// </summary>
    public string RenderAfterBefore(IReadOnlyList<(Mode After, Mode Before)> pairs)
    {
        var shown = Metrics.Where(m => (m.Scenario & _scenarios) != 0 && m != SenderLate).ToArray();
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine("After ÷ before (this build's hops ÷ the earlier build's, same run; >1 is better for GiB/s and conn/s, <1 for the rest):");
        w.WriteLine();
        w.WriteLine("| mode | " + string.Join(" | ", shown.Select(m => m.Header)) + " |");
        w.WriteLine("|---" + string.Concat(shown.Select(_ => "|---:")) + "|");
        foreach (var (after, before) in pairs)
            w.WriteLine($"| {after.Name} | " + string.Join(" | ", shown.Select(m => Cell(Median(after, m) / Median(before, m), "0.00"))) + " |");
        return w.ToString();
    }

    private static string Cell(double value, string format) =>
        double.IsNaN(value) || double.IsInfinity(value) ? "—" : value.ToString(format, CultureInfo.InvariantCulture);
}
