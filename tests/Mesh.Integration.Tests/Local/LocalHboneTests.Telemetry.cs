using System.Text.RegularExpressions;
using Mesh.Integration.Tests.Harness;

namespace Mesh.Integration.Tests.Local;

/// <summary>What an operator sees of one real curl over HBONE: the access log line and Istio's TCP metrics.</summary>
public sealed partial class LocalHboneTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Istio's labels on istio_tcp_* (Grafana/Kiali dashboards select on these).</summary>
    private static readonly string[] IstioTcpLabels =
    [
        "connection_security_policy", "destination_app", "destination_canonical_revision", "destination_canonical_service",
        "destination_cluster", "destination_principal", "destination_service", "destination_service_name",
        "destination_service_namespace", "destination_version", "destination_workload", "destination_workload_namespace",
        "reporter", "request_protocol", "response_flags", "source_app", "source_canonical_revision", "source_canonical_service",
        "source_cluster", "source_principal", "source_version", "source_workload", "source_workload_namespace",
    ];

    [RootFact]
    public async Task A_curl_over_hbone_leaves_an_access_log_line_with_both_identities_and_istio_metrics_with_every_label()
    {
        var curl = await Mesh.ExecAsync("demo", "client", "curl", "-s", "--max-time", "5", $"http://{mesh.Vip}:8080/telemetry");
        Assert.True(curl.ExitCode == 0, $"exit {curl.ExitCode} {curl.Output}");

        // The destination ztunnel's access log (echo runs on node-1; logfmt on stdout) has both SPIFFE identities.
        var line = await Eventually.Until(
            () => Task.FromResult(Mesh.MemberLog("node-1").Split('\n').LastOrDefault(l =>
                l.Contains("scope=access", StringComparison.Ordinal) && l.Contains("direction=inbound", StringComparison.Ordinal)
                && l.Contains(HboneMeshFixture.ClientIdentity, StringComparison.Ordinal))),
            l => l is not null, TimeSpan.FromSeconds(10), () => "an inbound access log line from the client\n" + Tail(Mesh.MemberLog("node-1")));
        Assert.Matches($@"src\.identity=""?{Regex.Escape(HboneMeshFixture.ClientIdentity)}""?( |$)", line!);
        Assert.Matches($@"dst\.identity=""?{Regex.Escape(HboneMeshFixture.EchoIdentity)}""?( |$)", line!);
        Assert.Matches(@"bytes_sent=\d+ ", line!);

        // Its metrics carry Istio's names and exactly Istio's label set, with the real workloads' values.
        var stats = mesh.Status.Members.Single(m => m.Name == "node-1").Ztunnel!.Stats;
        var series = await Eventually.Until(
            async () => (await Http.GetStringAsync($"http://127.0.0.1:{stats}/stats/prometheus")).Split('\n'),
            lines => lines.Any(l => l.StartsWith("istio_tcp_connections_closed_total{", StringComparison.Ordinal)
                && l.Contains($"source_principal=\"{HboneMeshFixture.ClientIdentity}\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), () => "a closed-connection series from the client");
        foreach (var family in new[] { "istio_tcp_connections_opened_total", "istio_tcp_connections_closed_total",
                     "istio_tcp_received_bytes_total", "istio_tcp_sent_bytes_total" })
        {
            var sample = series.First(l => l.StartsWith(family + "{", StringComparison.Ordinal)
                && l.Contains($"source_principal=\"{HboneMeshFixture.ClientIdentity}\"", StringComparison.Ordinal));
            var labels = Regex.Matches(sample, @"(\w+)=""([^""]*)""").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            Assert.Equal(IstioTcpLabels, labels.Keys.Order(StringComparer.Ordinal));
            Assert.Equal("destination", labels["reporter"]);
            Assert.Equal("tcp", labels["request_protocol"]);
            Assert.Equal("mutual_tls", labels["connection_security_policy"]);
            Assert.Equal(HboneMeshFixture.EchoIdentity, labels["destination_principal"]);
            Assert.Equal("client", labels["source_workload"]);
            Assert.Equal("demo", labels["source_workload_namespace"]);
            Assert.Equal("demo", labels["destination_workload_namespace"]);
            Assert.Equal("echo.demo.svc.cluster.local", labels["destination_service"]); // the pod's only service on 8080
            Assert.True(double.Parse(sample[(sample.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 1, sample);
        }
    }
}
