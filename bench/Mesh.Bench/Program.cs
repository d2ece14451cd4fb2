using System.Globalization;
using Mesh.Bench;

// mesh-bench: the data path side by side, interleaved rounds, medians, ratios. See docs/performance.md.
//   dotnet run -c Release --project bench/Mesh.Bench -- [--rounds 3] [--bulk-mib 512] [--quick]
if (args.Length > 0 && args[0] == "relay") return await RelayMode.RunAsync(args);

var rounds = Arg("--rounds", 3);
var bulkMiB = Arg("--bulk-mib", 512);
var quick = args.Contains("--quick");
if (quick) { rounds = 1; bulkMiB = 64; }

var dir = Directory.CreateTempSubdirectory("mesh-bench-").FullName;
using var sink = new Sink();
var pki = Pki.Create(dir);
var sinkPort = sink.EndPoint.Port;
var scenarios = new List<Scenario> { Scenario.Direct(sinkPort) };
var results = new Dictionary<string, List<RoundResult>>();
try
{
    async Task Add(string name, bool available, Func<Task<Scenario>> start)
    {
        if (!available) { Console.Error.WriteLine($"{name}: not installed (apt-get install stunnel4 haproxy): skipped"); return; }
        try { scenarios.Add(await start()); }
        catch (InvalidOperationException e) { Console.Error.WriteLine($"{name}: could not start ({e.Message}): skipped"); }
    }
    await Add("mesh plain relay", true, () => Scenario.OurRelaysAsync("mesh plain relay (2 hops)", "plain", "plain", sinkPort, pki));
    await Add("mesh SslStream relay", true, () => Scenario.OurRelaysAsync("mesh SslStream mTLS relay (2 hops)", "tls-out", "tls-in", sinkPort, pki));
    await Add("stunnel", Tool("stunnel"), () => Scenario.StunnelAsync(sinkPort, pki));
    await Add("haproxy", Tool("haproxy"), () => Scenario.HaproxyAsync(sinkPort, pki));
    foreach (var s in scenarios) results[s.Name] = [];

    for (var round = 1; round <= rounds; round++)
    {
        // Interleaved: every round runs every scenario, in a fresh random order, so drift hits all alike.
        foreach (var scenario in scenarios.OrderBy(_ => Random.Shared.Next()))
        {
            var (gibps, cpu) = await Measurements.BulkAsync(scenario, bulkMiB * 1024L * 1024);
            var (p50, p99) = await Measurements.LatencyAsync(scenario, quick ? 500 : 2000, 1000);
            var cps = await Measurements.ConnectionsAsync(scenario, TimeSpan.FromSeconds(quick ? 1 : 3));
            var idle = await Measurements.IdleMemoryAsync(scenario, 1000);
            results[scenario.Name].Add(new RoundResult(gibps, cpu, p50, p99, cps, idle));
            Console.Error.WriteLine($"round {round} {scenario.Name}: {gibps:0.00} GiB/s");
        }
    }
}
finally
{
    foreach (var s in scenarios) s.Dispose();
    Directory.Delete(dir, recursive: true);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

var medians = results.ToDictionary(r => r.Key, r => new RoundResult(
    Median(r.Value.Select(x => x.GiBPerSecond)), Median(r.Value.Select(x => x.CpuSecondsPerGiB)), Median(r.Value.Select(x => x.P50Micros)),
    Median(r.Value.Select(x => x.P99Micros)), Median(r.Value.Select(x => x.ConnectionsPerSecond)), Median(r.Value.Select(x => x.KiBPerIdleConnection))));
var direct = medians["direct TCP"];
var pairs = medians.Where(m => m.Key is "stunnel pair" or "haproxy pair").Select(m => m.Value.GiBPerSecond).DefaultIfEmpty(double.NaN).Max();

Console.WriteLine($"mesh-bench: {rounds} interleaved round(s), medians; bulk {bulkMiB} MiB one stream; latency 1 KiB req/resp at 1000/s; idle = 1000 connections; {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| scenario | bulk GiB/s | × direct | × best TLS pair | CPU-s/GiB | p50 µs | p99 µs | conn/s | KiB/idle conn |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var (name, m) in medians)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {m.GiBPerSecond:0.00} | {m.GiBPerSecond / direct.GiBPerSecond:0.00} | {m.GiBPerSecond / pairs:0.00} | {m.CpuSecondsPerGiB:0.00} | {m.P50Micros:0} | {m.P99Micros:0} | {m.ConnectionsPerSecond:0} | {m.KiBPerIdleConnection:0.0} |"));
return 0;

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static bool Tool(string name) =>
    Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, name)));
