using Mesh.Cli.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Tests.Commands.ZtunnelConfig;

/// <summary><c>zc connections</c>, <c>zc all</c>, the istioctl filters and <c>-o yaml|short</c>, against a real HTTP endpoint.</summary>
public sealed class ZtunnelViewsTests
{
    private static readonly DateTimeOffset Started = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static List<ConnectionView> Connections() =>
    [
        new(1, "reviews-v1-7d8f", "default", "Inbound", "10.244.1.12:8080", "10.244.2.7:40112", "", "HBONE",
            "spiffe://cluster.local/ns/bookinfo/sa/default", "spiffe://cluster.local/ns/default/sa/default", null, Started),
        new(2, "productpage-v1-abc", "bookinfo", "Outbound", "10.244.1.5:51000", "10.244.1.12:15008", "10.96.0.20:80", "HBONE",
            "spiffe://cluster.local/ns/bookinfo/sa/default", "spiffe://cluster.local/ns/default/sa/default",
            "reviews.default.svc.cluster.local", Started),
        new(3, "legacy-0", "default", "Outbound", "10.244.1.9:33000", "93.184.216.34:443", "", "TCP", null, null, null, Started),
    ];

    private static Task<FakeCommandEndpoint> NodeAsync() => FakeCommandEndpoint.StartAsync(app =>
    {
        app.MapGet(AdminRoutes.NodeState, () => FakeCommandEndpoint.Json(Fixtures.NodeState()));
        app.MapGet(AdminRoutes.Connections, () => FakeCommandEndpoint.Json(Connections()));
        app.MapGet(AdminRoutes.Certificates, () => FakeCommandEndpoint.Json(new List<CertificateView>()));
    });

    [Fact]
    public async Task Connections_use_istioctls_columns()
    {
        await using var node = await NodeAsync();

        var result = await Meshctl.RunAsync(node.HostPort, "zc", "connections");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            WORKLOAD                     DIRECTION  LOCAL             REMOTE             REMOTE TARGET  PROTOCOL
            reviews-v1-7d8f.default      Inbound    10.244.1.12:8080  10.244.2.7:40112                  HBONE
            productpage-v1-abc.bookinfo  Outbound   10.244.1.5:51000  10.244.1.12:15008  10.96.0.20:80  HBONE
            legacy-0.default             Outbound   10.244.1.9:33000  93.184.216.34:443                 TCP

            """, result.Out);
    }

    [Theory]
    [InlineData("--workload-namespace", "bookinfo", "productpage-v1-abc.bookinfo")]
    [InlineData("--address", "10.96.0.20", "productpage-v1-abc.bookinfo")]
    [InlineData("--address", "10.244.2.7", "reviews-v1-7d8f.default")]
    public async Task Connection_filters_select_rows(string option, string value, string onlyWorkload)
    {
        await using var node = await NodeAsync();

        var result = await Meshctl.RunAsync(node.HostPort, "zc", "connections", option, value);

        Assert.Equal(0, result.ExitCode);
        var rows = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal([onlyWorkload], rows.Select(r => r.Split(' ')[0]));
    }

    [Fact]
    public async Task Node_filter_on_connections_matches_the_queried_node_only()
    {
        await using var node = await NodeAsync();

        var other = await Meshctl.RunAsync(node.HostPort, "zc", "connections", "--node", "node-b");
        var same = await Meshctl.RunAsync(node.HostPort, "zc", "connections", "--node", "node-a");

        Assert.Equal("WORKLOAD  DIRECTION  LOCAL  REMOTE  REMOTE TARGET  PROTOCOL\n", other.Out);
        Assert.Equal(4, same.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Workload_filters_by_namespace_node_and_address()
    {
        await using var node = await NodeAsync();

        var byNamespace = await Meshctl.RunAsync(node.HostPort, "zc", "workloads", "--workload-namespace", "bookinfo");
        var byAddress = await Meshctl.RunAsync(node.HostPort, "zc", "workloads", "--address", "10.244.1.9");
        var byNode = await Meshctl.RunAsync(node.HostPort, "zc", "workloads", "--node", "node-z");

        Assert.Equal(
            """
            NAMESPACE  POD NAME            ADDRESS     NODE    WAYPOINT  PROTOCOL
            bookinfo   productpage-v1-abc  10.244.1.5  node-a  waypoint  HBONE

            """, byNamespace.Out);
        Assert.Contains("legacy-0", byAddress.Out);
        Assert.Equal(2, byAddress.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("NAMESPACE  POD NAME  ADDRESS  NODE  WAYPOINT  PROTOCOL\n", byNode.Out);
    }

    [Fact]
    public async Task Services_filter_by_vip_and_policies_by_namespace()
    {
        await using var node = await NodeAsync();

        var services = await Meshctl.RunAsync(node.HostPort, "zc", "services", "--address", "10.96.0.10");
        var policies = await Meshctl.RunAsync(node.HostPort, "zc", "policies", "--workload-namespace", "default");

        Assert.Equal(
            """
            NAMESPACE  SERVICE NAME  SERVICE VIP  WAYPOINT  ENDPOINTS
            bookinfo   productpage   10.96.0.10   waypoint  1

            """, services.Out);
        Assert.Equal(
            """
            NAMESPACE  POLICY NAME  ACTION  SCOPE
            default    deny-legacy  Deny    WorkloadSelector

            """, policies.Out);
    }

    [Fact]
    public async Task Short_is_the_table()
    {
        await using var node = await NodeAsync();

        var table = await Meshctl.RunAsync(node.HostPort, "zc", "workloads");
        var shortForm = await Meshctl.RunAsync(node.HostPort, "zc", "workloads", "-o", "short");

        Assert.Equal(0, shortForm.ExitCode);
        Assert.Equal(table.Out, shortForm.Out);
    }

    [Fact]
    public async Task Yaml_prints_the_same_fields_as_json()
    {
        await using var node = await NodeAsync();

        var result = await Meshctl.RunAsync(node.HostPort, "zc", "connections", "-o", "yaml", "--workload-namespace", "bookinfo");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            - id: 2
              workload: productpage-v1-abc
              namespace: bookinfo
              direction: Outbound
              local: 10.244.1.5:51000
              remote: 10.244.1.12:15008
              remoteTarget: 10.96.0.20:80
              protocol: HBONE
              sourceIdentity: spiffe://cluster.local/ns/bookinfo/sa/default
              destinationIdentity: spiffe://cluster.local/ns/default/sa/default
              service: reviews.default.svc.cluster.local
              started: 2025-01-02T03:04:05+00:00

            """, result.Out);
    }

    [Fact]
    public async Task All_prints_every_view_and_one_document_as_json()
    {
        await using var node = await NodeAsync();

        var table = await Meshctl.RunAsync(node.HostPort, "zc", "all");
        var json = await Meshctl.RunAsync(node.HostPort, "zc", "all", "-o", "json", "--workload-namespace", "default");

        Assert.Equal(0, table.ExitCode);
        foreach (var header in new[] { "POD NAME", "SERVICE NAME", "POLICY NAME", "CERTIFICATE NAME", "REMOTE TARGET" })
            Assert.Contains(header, table.Out);
        using var document = System.Text.Json.JsonDocument.Parse(json.Out);
        var root = document.RootElement;
        Assert.Equal(3, root.GetProperty("workloads").GetArrayLength());
        Assert.Equal(1, root.GetProperty("services").GetArrayLength());
        Assert.Equal(1, root.GetProperty("policies").GetArrayLength());
        Assert.Equal(2, root.GetProperty("connections").GetArrayLength());
        Assert.Equal(0, root.GetProperty("certificates").GetArrayLength());
    }
}
