using System.Diagnostics;
using System.Globalization;
using Mesh.Bench;
using Mesh.Bench.Modes;
using Mesh.Bench.Scenarios;

// mesh-bench: the data path side by side — every mode, every scenario, interleaved rounds, medians, ratios.
//   dotnet bench/Mesh.Bench/bin/Release/net10.0/mesh-bench.dll [--scenarios bulk,latency,connrate,idle] [--modes …] [--rounds 3]
// See Options.Usage and docs/performance.md. `--serve` is the hidden subcommand that runs one of our hops in a child.
if (args.Length > 0 && args[0] == "--serve") return await ServeMode.RunAsync(args);
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(Options.Usage);
    return 0;
}

Options options;
try { options = Options.Parse(args); }
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

var known = ModeCatalog.All;
if (options.ModeKeys?.FirstOrDefault(k => known.All(m => m.Key != k)) is { } unknown)
{
    Console.Error.WriteLine($"unknown mode '{unknown}' (known: {string.Join(", ", known.Select(m => m.Key))})");
    return 2;
}
var selected = known.Where(m => options.ModeKeys is null || options.ModeKeys.Contains(m.Key))
    .Where(m => (m.Supports & options.Scenarios) != 0).ToList();
// --before: each of our rows gets its twin from the earlier build right below it (the Akka rows are comparisons, not ours).
var twins = new List<(Mode After, Mode Before)>();
if (options.Before is { } before)
{
    foreach (var ours in selected.Where(m => m.OurHops is not null && !m.Key.StartsWith("akka", StringComparison.Ordinal)).ToList())
    {
        var twin = ModeCatalog.BeforeTwin(ours, before);
        selected.Insert(selected.IndexOf(ours) + 1, twin);
        twins.Add((ours, twin));
    }
}

var dir = Directory.CreateTempSubdirectory("mesh-bench-").FullName;
using var sink = new Sink();
var context = new ModeContext(sink.EndPoint.Port, Pki.Create(dir), options.HopGc);
var running = new List<RunningMode>();
var total = Stopwatch.StartNew();
Report report;
var otherLoad = "";
try
{
    foreach (var mode in selected)
    {
        if (mode.Unavailable() is { } why) { Console.Error.WriteLine($"{mode.Name}: {why}: skipped"); continue; }
        try { running.Add(await mode.StartAsync(context)); }
        catch (InvalidOperationException e) when (mode.OurHops?.Build.IsBefore == true)
        {
            // An earlier build may not have this row (e.g. its --serve does not know the hop): say so, keep the rest.
            Console.Error.WriteLine($"{mode.Name}: the earlier build could not start it ({e.Message}): skipped");
        }
        catch (InvalidOperationException e) { Console.Error.WriteLine($"{mode.Name}: could not start ({e.Message}): skipped"); }
    }
    report = new Report(running.Select(r => r.Mode).ToList(), options.Scenarios);
    var load = new BoxLoad();
    var ourCpuStart = BoxLoad.SelfCpuSeconds() + running.Sum(r => r.CpuSeconds());
    foreach (var mode in running)
    {
        try { await Task.Run(() => Warmup.Run(mode, options.Scenarios)); }
        catch (Exception e) when (e is InvalidOperationException or AggregateException or System.Net.Sockets.SocketException or IOException)
        {
            Console.Error.WriteLine($"warm-up {mode.Name}: FAILED: {e.GetBaseException().Message}");
        }
    }
    Console.Error.WriteLine($"[{total.Elapsed:mm\\:ss}] warm-up done");

    var latency = new Latency.Settings(options.LatencyRate, options.LatencyConnections, TimeSpan.FromSeconds(options.LatencySeconds), TimeSpan.FromSeconds(0.5));
    var connRate = new ConnectionRate.Settings(options.ConnRateConcurrency, TimeSpan.FromSeconds(options.ConnRateSeconds), TimeSpan.FromSeconds(0.5));
    for (var round = 1; round <= options.Rounds; round++)
    {
        foreach (var scenario in new[] { Measure.Bulk, Measure.Latency, Measure.ConnRate, Measure.Idle }.Where(s => (s & options.Scenarios) != 0))
        {
            // Interleaved: each scenario runs every mode back to back, in a fresh random order each round, so drift
            // (thermal, noisy neighbours, page cache) hits all modes alike.
            foreach (var mode in running.Where(r => (r.Mode.Supports & scenario) != 0).OrderBy(_ => Random.Shared.Next()))
            {
                string line;
                try
                {
                    switch (scenario)
                    {
                        case Measure.Bulk:
                            var bulk = await Task.Run(() => Bulk.Run(mode, options.BulkMiB * 1024L * 1024));
                            report.Add(mode.Mode, Report.Bulk, bulk.GiBPerSecond);
                            report.Add(mode.Mode, Report.Cpu, bulk.CpuSecondsPerGiB);
                            line = $"{bulk.GiBPerSecond:0.00} GiB/s" + (mode.HasProcesses ? $", {bulk.CpuSecondsPerGiB:0.00} CPU-s/GiB" : "");
                            break;
                        case Measure.Latency:
                            var lat = await Task.Run(() => Latency.Run(mode, latency));
                            report.Add(mode.Mode, Report.P50, lat.P50Micros);
                            report.Add(mode.Mode, Report.P99, lat.P99Micros);
                            report.Add(mode.Mode, Report.SenderLate, lat.SenderLateP99Micros);
                            line = $"p50 {lat.P50Micros:0} µs, p99 {lat.P99Micros:0} µs, p99.9 {lat.P999Micros:0} µs, max {lat.MaxMicros:0} µs (sender late p99 {lat.SenderLateP99Micros:0} µs)";
                            break;
                        case Measure.ConnRate:
                            var cps = await Task.Run(() => ConnectionRate.Run(mode, connRate));
                            report.Add(mode.Mode, Report.ConnRate, cps.PerSecond);
                            line = $"{cps.PerSecond:0} conn/s" + (cps.Errors > 0 ? $" ({cps.Errors} failed attempts)" : "");
                            break;
                        default:
                            var kib = await IdleMemory.RunAsync(mode.Mode, context, options.IdleConnections);
                            report.Add(mode.Mode, Report.Idle, kib);
                            line = double.IsNaN(kib) ? "no hop processes" : $"{kib:0.0} KiB per idle connection";
                            break;
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or AggregateException or System.Net.Sockets.SocketException or IOException)
                {
                    line = $"FAILED: {e.GetBaseException().Message}";
                }
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{total.Elapsed:mm\\:ss}] round {round} {scenario.ToString().ToLowerInvariant()} {mode.Name}: {line}"));
            }
        }
    }
    var (otherCpu, share) = load.Other(BoxLoad.SelfCpuSeconds() + running.Sum(r => r.CpuSeconds()) - ourCpuStart);
    otherLoad = string.Create(CultureInfo.InvariantCulture,
        $" Other work on the box during the run: {otherCpu:0} CPU-s ({share:P0} of its CPU){(share > 0.05 ? " — a noisy run, tails especially" : "")}.");
}
finally
{
    foreach (var r in running) r.Dispose();
    Directory.Delete(dir, recursive: true);
}

Console.WriteLine(report.Render(string.Create(CultureInfo.InvariantCulture,
    $"mesh-bench: {options.Rounds} interleaved round(s), medians; {Environment.ProcessorCount} cores; {total.Elapsed.TotalSeconds:0} s. " +
    $"bulk: 1 stream × {options.BulkMiB} MiB; latency: 1 KiB echo, open loop at {options.LatencyRate}/s over {options.LatencyConnections} connections, " +
    $"{options.LatencySeconds:0.#} s; connrate: {options.ConnRateConcurrency} parallel connect+64 B echo+close, {options.ConnRateSeconds:0.#} s; " +
    $"idle: {options.IdleConnections} tunnels. Our hops: {options.HopGc.ToString().ToLowerInvariant()} GC") +
    (options.Before is { } b ? $"; rows \"— before\" run the hops of {b.Dll}." : ".") + otherLoad));
var ran = running.Select(r => r.Mode).ToHashSet();
if (twins.Where(t => ran.Contains(t.After) && ran.Contains(t.Before)).ToList() is { Count: > 0 } pairs)
    Console.WriteLine(report.RenderAfterBefore(pairs));

// The Akka.Streams question of the issue: are its stages within 10% of the plain pump (same 2-hop shape)?
var plain = report.Median(ModeCatalog.All.Single(m => m.Key == "plain"), Report.Bulk);
foreach (var akka in running.Select(r => r.Mode).Where(m => m.Key.StartsWith("akka", StringComparison.Ordinal)))
{
    var ratio = report.Median(akka, Report.Bulk) / plain;
    if (double.IsNaN(ratio)) continue;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{akka.Name}: {ratio:0.00}× the plain relay's bulk throughput — {(ratio >= 0.9 ? "within" : "NOT within")} 10% of the plain pump."));
}
return 0;
