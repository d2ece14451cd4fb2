using System.Net;
using System.Text.Json;
using Mesh.Integration.Tests.Harness;
using Mesh.Protocol.Admin;

namespace Mesh.Integration.Tests.Telemetry;

/// <summary>
/// Issue #6 in a running mesh: the real meshctl binary's <c>zc</c> views, filters and formats against a node, and the
/// node's own admin (config_dump, logging), stats (Prometheus) and readiness ports.
/// </summary>
public class ZtunnelTelemetryTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: demo
        spec:
          clusterIP: 10.96.0.50
          selector:
            app: a1
          ports:
          - port: 80
            targetPort: 8080
        """;

    private const string Policy = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: allow-demo
          namespace: demo
        spec:
          action: ALLOW
          rules:
          - from:
            - source:
                namespaces: ["demo"]
        """;

    private static Task<(int Exit, string Out, string Err)> Zc(MeshProcess node, params string[] args) =>
        MeshctlBinary.RunAsync(["-e", node.AdminEndpoint, "zc", .. args]);

    private static List<string> Rows(string table) => table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();

    private static async Task<NodeStateView> StartAsync(MeshCluster mesh, MeshProcess node) =>
        await Eventually.Until(() => mesh.NodeStateAsync(node),
            v => v.Synced && v.Slice.Workloads.Count == 2 && v.Slice.Services.Count == 1 && v.Slice.Policies.Count == 1,
            Startup, () => $"{node.Name} holding 2 pods, the service and the policy\n{mesh.Logs()}");

    [Fact]
    public async Task Zc_views_filter_and_format_like_istioctl()
    {
        await using var mesh = new MeshCluster("node-a");
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a"),
            Manifests.Pod("o1", "node-a", "other"), Service, Policy));
        mesh.StartControl("control-1");
        var node = mesh.StartNode("node-a");
        var state = await StartAsync(mesh, node);
        var otherIp = state.Slice.Workloads.Single(w => w.Name == "o1").Addresses[0];

        var all = await Zc(node, "workloads");
        Assert.True(all.Exit == 0, all.Err);
        Assert.StartsWith("NAMESPACE  POD NAME  ADDRESS", all.Out);
        Assert.Equal(2, Rows(all.Out).Count);

        var demo = await Zc(node, "workloads", "--workload-namespace", "demo");
        Assert.Equal("demo", Assert.Single(Rows(demo.Out)).Split(' ')[0]);
        var byAddress = await Zc(node, "workloads", "--address", otherIp);
        Assert.Contains("o1", Assert.Single(Rows(byAddress.Out)));
        var elsewhere = await Zc(node, "workloads", "--node", "node-z");
        Assert.Empty(Rows(elsewhere.Out));

        var services = await Zc(node, "services", "-o", "yaml");
        Assert.True(services.Exit == 0, services.Err);
        Assert.Contains("- name: web\n  namespace: demo\n", services.Out);
        Assert.Contains("- 10.96.0.50\n", services.Out);

        var policies = await Zc(node, "policies", "-o", "short");
        Assert.Equal(["demo", "allow-demo", "Allow", "Namespace"],
            Assert.Single(Rows(policies.Out)).Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var connections = await Zc(node, "connections");
        Assert.True(connections.Exit == 0, connections.Err);
        Assert.Equal("WORKLOAD  DIRECTION  LOCAL  REMOTE  REMOTE TARGET  PROTOCOL\n", connections.Out);
        Assert.Equal("[]", (await Zc(node, "connections", "-o", "json")).Out.Trim());

        var everything = await Zc(node, "all", "-o", "json", "--workload-namespace", "other");
        using var document = JsonDocument.Parse(everything.Out);
        Assert.Equal("o1", document.RootElement.GetProperty("workloads").EnumerateArray().Single().GetProperty("name").GetString());
        Assert.Equal(0, document.RootElement.GetProperty("services").GetArrayLength());
    }

    [Fact]
    public async Task Node_serves_readiness_metrics_config_dump_and_logging_on_its_own_ports()
    {
        await using var mesh = new MeshCluster("node-a");
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a"),
            Manifests.Pod("o1", "node-a", "other"), Service, Policy));
        mesh.StartControl("control-1");
        var node = mesh.StartNode("node-a");
        var ports = node.Ztunnel!;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string Url(int port, string path) => $"http://127.0.0.1:{port}{path}";

        // Ready once the node has its state from the control plane.
        await Eventually.Until(async () => (await http.GetAsync(Url(ports.Readiness, "/healthz/ready"))).StatusCode,
            status => status == HttpStatusCode.OK, Startup, () => $"{node.Name} ready\n{mesh.Logs()}");
        await StartAsync(mesh, node);

        // The SVID of the ambient pod shows up as a certificate expiry gauge; the traffic families are declared.
        var metrics = await Eventually.Until(() => http.GetStringAsync(Url(ports.Stats, "/stats/prometheus")),
            text => text.Contains("istio_cert_expiry_seconds{identity=\"spiffe://cluster.local/ns/demo/sa/default\"}"),
            TimeSpan.FromSeconds(60), () => $"cert expiry gauge\n{mesh.Logs()}");
        foreach (var family in new[] { "istio_tcp_connections_opened_total", "istio_tcp_sent_bytes_total", "ztunnel_active_connections" })
            Assert.Contains($"# TYPE {family} ", metrics);

        var dump = JsonSerializer.Deserialize<ConfigDumpView>(await http.GetStringAsync(Url(ports.Admin, "/config_dump")), AdminJson.Options)!;
        Assert.Equal(["a1", "o1"], dump.Workloads.Select(w => w.Name).Order());
        Assert.Equal("web", Assert.Single(dump.Services).Name);
        Assert.Contains(dump.Certificates, c => c.Name == "spiffe://cluster.local/ns/demo/sa/default");

        using var set = await http.PostAsync(Url(ports.Admin, "/logging?level=debug"), null);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Contains("\"level\": \"debug\"", await http.GetStringAsync(Url(ports.Admin, "/logging")));

        // The command endpoint's cluster verbs are not reachable through the stats port.
        using var leak = await http.GetAsync(Url(ports.Stats, AdminRoutes.Cluster));
        Assert.Equal(HttpStatusCode.NotFound, leak.StatusCode);
    }
}
