using Mesh.Hbone.Tls;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Node.Identity;
using Mesh.Node.Telemetry;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Node.Tests.Telemetry.TelemetryFixtures;

namespace Mesh.Node.Tests.Telemetry;

/// <summary>
/// The metric names and label sets a scraper sees on 15020, pinned as a golden list (Istio's exact names for the
/// standard metrics), after driving the telemetry seam the way the data path will.
/// </summary>
public sealed class MetricsGoldenSpec
{
    private static readonly string[] TrafficLabels =
    [
        "connection_security_policy", "destination_app", "destination_canonical_revision", "destination_canonical_service",
        "destination_cluster", "destination_principal", "destination_service", "destination_service_name",
        "destination_service_namespace", "destination_version", "destination_workload", "destination_workload_namespace",
        "reporter", "request_protocol", "response_flags", "source_app", "source_canonical_revision", "source_canonical_service",
        "source_cluster", "source_principal", "source_version", "source_workload", "source_workload_namespace",
    ];

    /// <summary>Every family the node exposes, with its type and label names (sorted).</summary>
    private static readonly Dictionary<string, (string Type, string[] Labels)> Golden = new()
    {
        ["istio_tcp_connections_opened_total"] = ("counter", TrafficLabels),
        ["istio_tcp_connections_closed_total"] = ("counter", TrafficLabels),
        ["istio_tcp_received_bytes_total"] = ("counter", TrafficLabels),
        ["istio_tcp_sent_bytes_total"] = ("counter", TrafficLabels),
        ["istio_cert_expiry_seconds"] = ("gauge", ["identity"]),
        ["istio_dns_requests_total"] = ("counter", []),
        ["istio_dns_upstream_requests_total"] = ("counter", []),
        ["istio_dns_upstream_failures_total"] = ("counter", []),
        ["ztunnel_dns_malformed_requests_total"] = ("counter", []),
        ["ztunnel_active_connections"] = ("gauge", ["direction"]),
        ["ztunnel_connection_failures_total"] = ("counter", ["direction", "reason"]),
        ["ztunnel_hbone_pool_connections"] = ("gauge", []),
        ["ztunnel_metrics_series"] = ("gauge", []),
        ["ztunnel_metrics_series_overflow_total"] = ("counter", []),
        ["ztunnel_policy_closed_connections_total"] = ("counter", []),
        ["ztunnel_telemetry_errors_total"] = ("counter", []),
        ["ztunnel_access_log_dropped_total"] = ("counter", []),
        ["ztunnel_accept_failures_total"] = ("counter", []),
    };

    private static async Task<(string Text, IReadOnlyList<Sample> Samples)> ScrapeAsync(TelemetryNode node, string path = "/metrics")
    {
        var text = await node.GetAsync(node.StatsPort, path);
        return (text, PrometheusText.Parse(text));
    }

    private static void Drive(IConnectionTelemetry telemetry)
    {
        var outbound = OutboundHbone();
        telemetry.Opened(outbound);
        telemetry.Closed(outbound, bytesSent: 100, bytesReceived: 2000);

        var inbound = InboundHbone();
        telemetry.Opened(inbound);
        telemetry.Closed(inbound, bytesSent: 100, bytesReceived: 2000);

        var denied = InboundHbone();
        telemetry.Opened(denied);
        telemetry.Closed(denied, 0, 0, ConnectionFailure.Denied("no ALLOW policy matched"));

        telemetry.Opened(OutboundPassthrough()); // still open
    }

    [Fact]
    public async Task Scraped_families_and_label_sets_match_the_golden_list()
    {
        await using var node = await TelemetryNode.StartAsync();
        PutCertificate(node, new SpiffeId("cluster.local", "default", "sleep"), DateTimeOffset.UtcNow.AddHours(24));
        Drive(node.Telemetry);

        var (text, samples) = await ScrapeAsync(node);

        var types = PrometheusText.Types(text);
        Assert.Equal(Golden.Keys.Order(StringComparer.Ordinal), types.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, (type, labels)) in Golden)
        {
            Assert.Equal(type, types[name]);
            var ofFamily = samples.Where(s => s.Name == name).ToList();
            Assert.True(ofFamily.Count > 0, $"{name} has no sample");
            Assert.All(ofFamily, s => Assert.Equal(labels, s.Labels.Keys.Order(StringComparer.Ordinal)));
        }
    }

    [Fact]
    public async Task Outbound_labels_and_bytes_follow_istio()
    {
        await using var node = await TelemetryNode.StartAsync();
        Drive(node.Telemetry);

        var (_, samples) = await ScrapeAsync(node);

        var opened = Assert.Single(samples, s => s.Name == "istio_tcp_connections_opened_total" && s["reporter"] == "source"
                                                 && s["destination_workload"] == "reviews-v1");
        Assert.Equal(new Dictionary<string, string>
        {
            ["reporter"] = "source",
            ["source_workload"] = "sleep",
            ["source_canonical_service"] = "sleep",
            ["source_canonical_revision"] = "latest",
            ["source_workload_namespace"] = "default",
            ["source_principal"] = "spiffe://cluster.local/ns/default/sa/sleep",
            ["source_app"] = "sleep",
            ["source_version"] = "latest",
            ["source_cluster"] = "Kubernetes",
            ["destination_service"] = "reviews.bookinfo.svc.cluster.local",
            ["destination_service_namespace"] = "bookinfo",
            ["destination_service_name"] = "reviews",
            ["destination_workload"] = "reviews-v1",
            ["destination_canonical_service"] = "reviews",
            ["destination_canonical_revision"] = "v1",
            ["destination_workload_namespace"] = "bookinfo",
            ["destination_principal"] = "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews",
            ["destination_app"] = "reviews",
            ["destination_version"] = "v1",
            ["destination_cluster"] = "Kubernetes",
            ["request_protocol"] = "tcp",
            ["response_flags"] = "-",
            ["connection_security_policy"] = "mutual_tls",
        }, opened.Labels.ToDictionary());
        Assert.Equal(1, opened.Value);

        double Of(string name) => Assert.Single(samples, s => s.Name == name && s.Labels.ToDictionary().SequenceEqual(opened.Labels.ToDictionary())).Value;
        Assert.Equal(1, Of("istio_tcp_connections_closed_total"));
        Assert.Equal(100, Of("istio_tcp_received_bytes_total")); // request bytes: source → destination
        Assert.Equal(2000, Of("istio_tcp_sent_bytes_total"));    // response bytes
    }

    [Fact]
    public async Task Inbound_denials_carry_the_flag_on_close_only_and_unknowns_render_unknown()
    {
        await using var node = await TelemetryNode.StartAsync();
        Drive(node.Telemetry);

        var (_, samples) = await ScrapeAsync(node, "/stats/prometheus");

        var inboundOpened = samples.Where(s => s.Name == "istio_tcp_connections_opened_total" && s["reporter"] == "destination").ToList();
        var inboundOpen = Assert.Single(inboundOpened); // the denied one too: opens are recorded with "-"
        Assert.Equal("-", inboundOpen["response_flags"]);
        Assert.Equal(2, inboundOpen.Value);
        var deniedClose = Assert.Single(samples, s => s.Name == "istio_tcp_connections_closed_total" && s["response_flags"] == "DENY");
        Assert.Equal("destination", deniedClose["reporter"]);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/sleep", deniedClose["source_principal"]);
        Assert.Equal("unknown", deniedClose["destination_service"]); // inbound: addressed to the workload, not a service
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "ztunnel_connection_failures_total").Value);
        Assert.Equal("denied", Assert.Single(samples, s => s.Name == "ztunnel_connection_failures_total")["reason"]);

        var passthrough = Assert.Single(samples, s => s.Name == "istio_tcp_connections_opened_total" && s["connection_security_policy"] == "none");
        foreach (var label in new[] { "destination_workload", "destination_principal", "destination_service", "destination_cluster", "destination_app" })
            Assert.Equal("unknown", passthrough[label]);
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "ztunnel_active_connections" && s["direction"] == "outbound").Value);
        Assert.Equal(0, Assert.Single(samples, s => s.Name == "ztunnel_active_connections" && s["direction"] == "inbound").Value);
    }

    [Fact]
    public async Task Stats_endpoint_speaks_the_prometheus_text_format_on_both_paths()
    {
        await using var node = await TelemetryNode.StartAsync();

        foreach (var path in new[] { "/metrics", "/stats/prometheus" })
        {
            using var response = await node.SendAsync(HttpMethod.Get, node.StatsPort, path);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        }
    }

    [Fact]
    public async Task Dns_hbone_pool_and_certificate_gauges_read_their_sources_at_scrape_time()
    {
        await using var node = await TelemetryNode.StartAsync();
        var sources = node.Services.GetRequiredService<NodeTelemetrySources>();
        var notAfter = DateTimeOffset.UtcNow.AddHours(12);
        PutCertificate(node, new SpiffeId("cluster.local", "default", "sleep"), notAfter);
        sources.HbonePoolConnections = () => 3;
        var first = sources.Dns.Register(() => new(10, 4, 1, 2));
        sources.Dns.Register(() => new(5, 5, 0, 0));
        first.Dispose(); // a pod went away: its counts must not disappear from the totals

        var (_, samples) = await ScrapeAsync(node);

        double Value(string name) => Assert.Single(samples, s => s.Name == name).Value;
        Assert.Equal(15, Value("istio_dns_requests_total"));
        Assert.Equal(9, Value("istio_dns_upstream_requests_total"));
        Assert.Equal(1, Value("istio_dns_upstream_failures_total"));
        Assert.Equal(2, Value("ztunnel_dns_malformed_requests_total"));
        Assert.Equal(3, Value("ztunnel_hbone_pool_connections"));
        var expiry = Assert.Single(samples, s => s.Name == "istio_cert_expiry_seconds");
        Assert.Equal("spiffe://cluster.local/ns/default/sa/sleep", expiry["identity"]);
        Assert.Equal(notAfter.ToUnixTimeSeconds(), expiry.Value);
    }

    internal static void PutCertificate(TelemetryNode node, SpiffeId id, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256);
        var leaf = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), notAfter);
        node.Services.GetRequiredService<CertificateStore>().Put(new WorkloadCertificate(id, leaf, [], TrustBundle.Empty));
    }
}
