using System.Globalization;
using Mesh.Bench.Modes;

namespace Mesh.Bench;

/// <summary>The command line of <c>mesh-bench</c> (see <see cref="Usage"/>).</summary>
internal sealed record Options
{
    public int Rounds { get; init; } = 3;
    public int BulkMiB { get; init; } = 512;
    public Measure Scenarios { get; init; } = Measure.All;
    public IReadOnlyList<string>? ModeKeys { get; init; }
    public int LatencyRate { get; init; } = 1000;
    public int LatencyConnections { get; init; } = 10;
    public double LatencySeconds { get; init; } = 3;
    public int ConnRateConcurrency { get; init; } = 16;
    public double ConnRateSeconds { get; init; } = 3;
    public int IdleConnections { get; init; } = 1000;
    public HopBuild? Before { get; init; }
    public HopGc HopGc { get; init; } = HopGc.Server;

    public const string Usage = """
        mesh-bench — the data path side by side: every mode, every scenario, interleaved rounds, medians, ratios.
          --scenarios LIST     bulk,latency,connrate,idle (default: all)
          --modes LIST         direct,plain,tls,hbone,akka,akka-tuned,stunnel,haproxy (default: all available)
          --rounds N           interleaved rounds; medians over them (default 3)
          --bulk-mib N         bytes per bulk stream (default 512)
          --latency-rate N     requests per second in total, open loop (default 1000)
          --latency-conns N    persistent connections the rate is spread over (default 10)
          --latency-seconds S  measured seconds per round, after 0.5 s warm-up (default 3)
          --connrate-concurrency N   parallel connect/request/close clients (default 16)
          --connrate-seconds S       counted window per round, after 0.5 s warm-up (default 3)
          --idle-conns N       idle tunnels opened for the memory scenario (default 1000)
          --before DLL         also run each of our rows from an earlier build's mesh-bench.dll, next to ours, with
                               an after ÷ before table (same run, same box)
          --hop-gc server|workstation  the collector of our hops (default server: as mesh-node ships)
          --quick              smoke run: 1 round, 64 MiB, 1 s windows, 250 idle connections
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        if (args.Contains("--quick"))
            o = o with { Rounds = 1, BulkMiB = 64, LatencySeconds = 1, ConnRateSeconds = 1, IdleConnections = 250 };
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Dbl() => double.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--quick" => o,
                "--rounds" => o with { Rounds = Int() },
                "--bulk-mib" => o with { BulkMiB = Int() },
                "--scenarios" => o with { Scenarios = ParseScenarios(Next()) },
                "--modes" => o with { ModeKeys = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--latency-rate" => o with { LatencyRate = Int() },
                "--latency-conns" => o with { LatencyConnections = Int() },
                "--latency-seconds" => o with { LatencySeconds = Dbl() },
                "--connrate-concurrency" => o with { ConnRateConcurrency = Int() },
                "--connrate-seconds" => o with { ConnRateSeconds = Dbl() },
                "--idle-conns" => o with { IdleConnections = Int() },
                "--before" => o with { Before = HopBuild.Before(Next()) },
                "--hop-gc" => o with
                {
                    HopGc = Next() switch
                    {
                        "server" => HopGc.Server,
                        "workstation" => HopGc.Workstation,
                        var other => throw new ArgumentException($"--hop-gc {other}: expected server or workstation"),
                    },
                },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.Rounds < 1 || o.BulkMiB < 1 || o.LatencyRate < 1 || o.LatencyConnections < 1 || o.ConnRateConcurrency < 1 || o.IdleConnections < 1)
            throw new ArgumentException("counts must be at least 1");
        return o;
    }

    private static Measure ParseScenarios(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Aggregate(Measure.None, (all, name) => all | name switch
        {
            "bulk" => Measure.Bulk,
            "latency" => Measure.Latency,
            "connrate" => Measure.ConnRate,
            "idle" => Measure.Idle,
            "all" => Measure.All,
            _ => throw new ArgumentException($"unknown scenario '{name}' (bulk, latency, connrate, idle)"),
        });
}
