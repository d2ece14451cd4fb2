using System.Text.Json;
using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Cli.Tests.Commands.ZtunnelConfig;

/// <summary>
/// <c>meshctl zc VIEW</c> without HOST:PORT while a local mesh runs: every node's ztunnel is asked (real HTTP endpoints
/// named by a local mesh state directory) and the views are merged with a NODE column.
/// </summary>
public sealed class ZtunnelLocalModeTests : IAsyncLifetime
{
    private const string Echo = "demo/echo.demo.svc.cluster.local";
    private static readonly DateTimeOffset Started = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private FakeCommandEndpoint _control = null!;
    private FakeCommandEndpoint _node0 = null!;
    private FakeCommandEndpoint _node1 = null!;
    private FakeLocalMesh _mesh = null!;

    private static NodeStateView State(string node, params Workload[] workloads) => new(node, 3, true, new NodeSlice(node,
        ValueList.Of(workloads),
        ValueList.Of(Fixtures.Service("demo", "echo", "10.96.76.25")),
        ValueList.Of(Fixtures.Policy("istio-system", "mesh-wide", PolicyAction.Allow, PolicyScope.Global))));

    private static readonly NodeStateView Node0 = State("node-0",
        Fixtures.Workload("demo", "client", "10.244.0.129", node: "node-0"),
        Fixtures.Workload("demo", "echo-a", "10.244.0.243", node: "node-0", serviceKeys: Echo),
        Fixtures.Workload("legacy", "outsider", "10.244.0.86", node: "node-0", protocol: TunnelProtocol.None));

    private static readonly NodeStateView Node1 = State("node-1",
        Fixtures.Workload("demo", "echo-b", "10.244.1.44", node: "node-1", serviceKeys: Echo));

    private static Task<FakeCommandEndpoint> NodeAsync(NodeStateView state, List<ConnectionView> connections) =>
        FakeCommandEndpoint.StartAsync(app =>
        {
            app.MapGet(AdminRoutes.NodeState, () => FakeCommandEndpoint.Json(state));
            app.MapGet(AdminRoutes.Connections, () => FakeCommandEndpoint.Json(connections));
            app.MapGet(AdminRoutes.Certificates, () => FakeCommandEndpoint.Json(new List<CertificateView>
            {
                new("spiffe://cluster.local/ns/demo/sa/default", "leaf", "Available", true, state.Node == "node-0" ? "0a" : "1b",
                    Started, Started.AddHours(24), null),
            }));
        });

    public async Task InitializeAsync()
    {
        // The control member: cluster verbs only, no ztunnel views (as the real one).
        _control = await FakeCommandEndpoint.StartAsync(app =>
            app.MapGet(AdminRoutes.Status, () => FakeCommandEndpoint.Json(new MemberStatusView("akka.tcp://mesh@127.0.0.1:4053", "up", ["control"], null, 3, 0))));
        _node0 = await NodeAsync(Node0,
        [
            new(1, "client", "demo", "Outbound", "10.244.0.129:40000", "10.244.1.44:15008", "10.96.76.25:8080", "HBONE", null, null, null, Started),
        ]);
        _node1 = await NodeAsync(Node1,
        [
            new(7, "echo-b", "demo", "Inbound", "10.244.1.44:8080", "10.244.0.129:40000", "", "HBONE", null, null, null, Started),
        ]);
        _mesh = new FakeLocalMesh(FakeLocalMesh.Port(_control), ("node-0", FakeLocalMesh.Port(_node0)), ("node-1", FakeLocalMesh.Port(_node1)));
    }

    public async Task DisposeAsync()
    {
        _mesh.Dispose();
        await _control.DisposeAsync();
        await _node0.DisposeAsync();
        await _node1.DisposeAsync();
    }

    private Task<CliResult> Zc(params string[] args) => Meshctl.RunAsync(["zc", .. args, "--state-dir", _mesh.StateDir]);

    [Fact]
    public async Task Workloads_of_every_node_are_merged_with_a_NODE_column_first()
    {
        var result = await Zc("workloads");

        Assert.Equal("", result.Err);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            NODE    NAMESPACE  POD NAME  ADDRESS       NODE    WAYPOINT  PROTOCOL
            node-0  demo       client    10.244.0.129  node-0  None      HBONE
            node-0  demo       echo-a    10.244.0.243  node-0  None      HBONE
            node-0  legacy     outsider  10.244.0.86   node-0  None      TCP
            node-1  demo       echo-b    10.244.1.44   node-1  None      HBONE

            """, result.Out);
        Assert.DoesNotContain(_control.Requests, r => r.Contains("/v1/node/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Node_picks_that_nodes_ztunnel_only()
    {
        var result = await Zc("workloads", "--node", "node-1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            NODE    NAMESPACE  POD NAME  ADDRESS      NODE    WAYPOINT  PROTOCOL
            node-1  demo       echo-b    10.244.1.44  node-1  None      HBONE

            """, result.Out);
        Assert.Empty(_node0.Requests);
    }

    [Fact]
    public async Task An_unknown_node_names_the_known_nodes_and_exits_1()
    {
        var result = await Zc("services", "--node", "node-7");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal($"meshctl: --node: no node 'node-7' in the local mesh; its nodes are node-0 {_node0.HostPort}, node-1 {_node1.HostPort}\n",
            result.Err);
        Assert.Empty(_node0.Requests);
        Assert.Empty(_node1.Requests);
    }

    [Fact]
    public async Task Services_policies_certificates_and_connections_are_merged_per_node()
    {
        var services = await Zc("services");
        var policies = await Zc("policies");
        var certificates = await Zc("certs");
        var connections = await Zc("connections");

        Assert.Equal(
            """
            NODE    NAMESPACE  SERVICE NAME  SERVICE VIP  WAYPOINT  ENDPOINTS
            node-0  demo       echo          10.96.76.25  None      1
            node-1  demo       echo          10.96.76.25  None      1

            """, services.Out);
        Assert.Equal(
            """
            NODE    NAMESPACE     POLICY NAME  ACTION  SCOPE
            node-0  istio-system  mesh-wide    Allow   Global
            node-1  istio-system  mesh-wide    Allow   Global

            """, policies.Out);
        Assert.Equal(
            """
            NODE    CERTIFICATE NAME                           TYPE  STATUS     VALID CERT  SERIAL NUMBER  NOT AFTER             NOT BEFORE
            node-0  spiffe://cluster.local/ns/demo/sa/default  leaf  Available  true        0a             2025-01-03T03:04:05Z  2025-01-02T03:04:05Z
            node-1  spiffe://cluster.local/ns/demo/sa/default  leaf  Available  true        1b             2025-01-03T03:04:05Z  2025-01-02T03:04:05Z

            """, certificates.Out);
        Assert.Equal(
            """
            NODE    WORKLOAD     DIRECTION  LOCAL               REMOTE              REMOTE TARGET     PROTOCOL
            node-0  client.demo  Outbound   10.244.0.129:40000  10.244.1.44:15008   10.96.76.25:8080  HBONE
            node-1  echo-b.demo  Inbound    10.244.1.44:8080    10.244.0.129:40000                    HBONE

            """, connections.Out);
    }

    [Theory]
    [InlineData("--workload-namespace", "legacy", "outsider")]
    [InlineData("--address", "10.244.1.44", "echo-b")]
    public async Task Filters_apply_across_nodes(string option, string value, string onlyPod)
    {
        var result = await Zc("workloads", option, value);

        Assert.Equal(0, result.ExitCode);
        var rows = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal([onlyPod], rows.Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]));
    }

    [Fact]
    public async Task Json_wraps_each_entry_with_its_node()
    {
        var result = await Zc("workloads", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var entries = document.RootElement.EnumerateArray()
            .Select(e => (Node: e.GetProperty("node").GetString(), Workload: e.GetProperty("workload").Deserialize<Workload>(AdminJson.Options)!))
            .ToList();
        Assert.Equal(["node-0", "node-0", "node-0", "node-1"], entries.Select(e => e.Node));
        Assert.Equal(Node0.Slice.Workloads.Concat(Node1.Slice.Workloads).OrderBy(w => w.Node, StringComparer.Ordinal)
            .ThenBy(w => w.Namespace, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal), entries.Select(e => e.Workload));
    }

    [Fact]
    public async Task Yaml_carries_the_node_per_entry_too()
    {
        var result = await Zc("connections", "-o", "yaml", "--node", "node-1");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(
            """
            - node: node-1
              connection:
                id: 7
                workload: echo-b

            """, result.Out);
    }

    [Fact]
    public async Task All_as_json_has_every_view_with_nodes()
    {
        var result = await Zc("all", "-o", "json", "--workload-namespace", "demo");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        string[] Nodes(string view) => root.GetProperty(view).EnumerateArray().Select(e => e.GetProperty("node").GetString()!).ToArray();
        Assert.Equal(["node-0", "node-0", "node-1"], Nodes("workloads"));
        Assert.Equal(["node-0", "node-1"], Nodes("services"));
        Assert.Equal(["node-0", "node-1"], Nodes("certificates"));
        Assert.Equal(["node-0", "node-1"], Nodes("connections"));
        Assert.Equal("echo-b", root.GetProperty("workloads")[2].GetProperty("workload").GetProperty("name").GetString());
        Assert.Equal(0, root.GetProperty("policies").GetArrayLength()); // mesh-wide lives in istio-system
    }

    [Fact]
    public async Task All_as_tables_puts_NODE_first_in_every_table()
    {
        var result = await Zc("all");

        Assert.Equal(0, result.ExitCode);
        var headers = result.Out.Split('\n').Where(l => l.StartsWith("NODE ", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, headers.Count);
        Assert.Contains(headers, h => h.Contains("CERTIFICATE NAME", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_node_that_does_not_answer_is_named_on_stderr_and_the_others_are_shown()
    {
        var down = Meshctl.FreePort();
        using var mesh = new FakeLocalMesh(FakeLocalMesh.Port(_control), ("node-0", FakeLocalMesh.Port(_node0)), ("node-1", down));

        var result = await Meshctl.RunAsync("zc", "workloads", "--state-dir", mesh.StateDir);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4, result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1), row => Assert.StartsWith("node-0  ", row));
        Assert.Equal($"meshctl: warning: node-1 (127.0.0.1:{down}) is not shown: cannot reach command endpoint at 127.0.0.1:{down} " +
                     "(connection refused) — is a mesh member running there?\n", result.Err);
    }

    [Fact]
    public async Task No_node_answering_fails_with_exit_2_and_names_each_node()
    {
        var (down0, down1) = (Meshctl.FreePort(), Meshctl.FreePort());
        using var mesh = new FakeLocalMesh(FakeLocalMesh.Port(_control), ("node-0", down0), ("node-1", down1));

        var result = await Meshctl.RunAsync("zc", "policies", "--state-dir", mesh.StateDir);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        var lines = result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"meshctl: node-0 (127.0.0.1:{down0}): cannot reach command endpoint", lines[0]);
        Assert.StartsWith($"meshctl: node-1 (127.0.0.1:{down1}): cannot reach command endpoint", lines[1]);
        Assert.Equal("meshctl: no node of the local mesh answered (node-0, node-1)", lines[2]);
    }

    [Fact]
    public async Task A_named_endpoint_is_asked_alone_without_a_NODE_column()
    {
        var positional = await Meshctl.RunAsync(_node1.HostPort, "zc", "workloads", "--state-dir", _mesh.StateDir);
        var environment = await Meshctl.RunAsync(["zc", "workloads", "--state-dir", _mesh.StateDir],
            new Dictionary<string, string> { ["MESHCTL_ENDPOINT"] = _node1.HostPort });

        var expected =
            """
            NAMESPACE  POD NAME  ADDRESS      NODE    WAYPOINT  PROTOCOL
            demo       echo-b    10.244.1.44  node-1  None      HBONE

            """;
        Assert.Equal(expected, positional.Out);
        Assert.Equal(expected, environment.Out);
        Assert.Empty(_node0.Requests);
    }

    [Fact]
    public async Task An_unsynced_node_is_named_in_a_warning()
    {
        await using var unsynced = await NodeAsync(Node1 with { Synced = false }, []);
        using var mesh = new FakeLocalMesh(FakeLocalMesh.Port(_control), ("node-0", FakeLocalMesh.Port(_node0)), ("node-1", FakeLocalMesh.Port(unsynced)));

        var result = await Meshctl.RunAsync("zc", "services", "--state-dir", mesh.StateDir);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("meshctl: warning: node node-1 has not received its state yet; the view may be incomplete\n", result.Err);
    }

    [Fact]
    public async Task A_state_dir_without_a_running_mesh_is_a_clear_error()
    {
        var empty = Directory.CreateTempSubdirectory("ma-zc-empty-").FullName;
        try
        {
            var result = await Meshctl.RunAsync("zc", "workloads", "--state-dir", empty);

            Assert.Equal(1, result.ExitCode);
            Assert.Equal($"meshctl: no local mesh is running (state dir {empty}); start one with 'meshctl local up -f DIR', " +
                         "or pass a node's HOST:PORT\n", result.Err);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
