using Mesh.Node.Hbone;
using Xunit.Abstractions;

namespace Mesh.Node.Tests.Hbone;

/// <summary>Runs only when asked (MESH_BENCH=1): a timing, not a test.</summary>
public sealed class BenchFactAttribute : FactAttribute
{
    public BenchFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MESH_BENCH") != "1")
            Skip = "benchmark: run with MESH_BENCH=1";
    }
}

/// <summary>
/// Throughput of HBONE (pool → server) against direct TCP and the two-hop SslStream relay, in process on loopback.
/// <c>MESH_BENCH=1 dotnet test tests/Mesh.Node.Tests -c Release --filter FullyQualifiedName~HboneBench --logger "console;verbosity=detailed"</c>
/// </summary>
public sealed class HboneBenchSpec(ITestOutputHelper output)
{
    [BenchFact]
    public async Task Bulk_throughput_hbone_vs_tls_relay()
    {
        var mib = long.Parse(Environment.GetEnvironmentVariable("MESH_BENCH_MIB") ?? "2048", System.Globalization.CultureInfo.InvariantCulture);
        var connections = int.Parse(Environment.GetEnvironmentVariable("MESH_BENCH_CONNECTIONS") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var rounds = int.Parse(Environment.GetEnvironmentVariable("MESH_BENCH_ROUNDS") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
        var client = HbonePki.Instance.Issue(HbonePki.Client);
        var server = HbonePki.Instance.Issue(HbonePki.Server);
        await using var sink = await HboneBenchHarness.StartSinkAsync();
        await using var tls = await HboneBenchHarness.StartTlsRelayAsync(client, server, sink.EndPoint);
        await using var hbone = await HboneBenchHarness.StartHboneAsync(client, server, sink.EndPoint);
        var perConnection = mib * 1024 * 1024 / connections;

        // Warm up each path (JIT, TLS session, pool connection).
        foreach (var entry in new[] { sink.EndPoint, tls.EndPoint, hbone.EndPoint })
            await HboneBenchHarness.SendAsync(entry, 64 * 1024 * 1024, connections);

        for (var round = 1; round <= rounds; round++)
        {
            var direct = await HboneBenchHarness.SendAsync(sink.EndPoint, perConnection, connections);
            var relay = await HboneBenchHarness.SendAsync(tls.EndPoint, perConnection, connections);
            var h2 = await HboneBenchHarness.SendAsync(hbone.EndPoint, perConnection, connections);
            output.WriteLine($"round {round}, {connections} connection(s):");
            output.WriteLine($"  direct TCP       {direct}");
            output.WriteLine($"  2-hop TLS relay  {relay}");
            output.WriteLine($"  HBONE            {h2}   = {h2.MiBPerSecond / relay.MiBPerSecond:0.00}x the TLS relay");
        }
    }
}
