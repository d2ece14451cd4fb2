using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Cli.Tests.Commands.ZtunnelConfig;

/// <summary>
/// A <c>zc</c> view asked of an endpoint that is not a ztunnel (a control or waypoint member, or no mesh member at
/// all) says what it reached and which endpoints serve the view — never a bare 404.
/// </summary>
public sealed class ZtunnelEndpointHintTests : IDisposable
{
    // An empty state dir: no local mesh, whatever runs on this machine's default state dir.
    private readonly string _noMesh = Directory.CreateTempSubdirectory("ma-zc-nomesh-").FullName;

    public void Dispose() => Directory.Delete(_noMesh, recursive: true);

    /// <summary>A member's command endpoint that serves only the cluster verbs, as control and waypoint members do.</summary>
    private static Task<FakeCommandEndpoint> MemberAsync(string role, ClusterView? cluster = null) => FakeCommandEndpoint.StartAsync(app =>
    {
        app.MapGet(AdminRoutes.Status, () => FakeCommandEndpoint.Json(new MemberStatusView("akka.tcp://mesh@10.0.0.1:4053", "up", [role], null, 3, 0)));
        if (cluster is not null) app.MapGet(AdminRoutes.Cluster, () => FakeCommandEndpoint.Json(cluster));
    });

    [Fact]
    public async Task The_control_of_the_local_mesh_names_the_nodes_command_endpoints()
    {
        await using var control = await MemberAsync("control");
        var (port0, port1) = (Meshctl.FreePort(), Meshctl.FreePort());
        using var mesh = new FakeLocalMesh(FakeLocalMesh.Port(control), ("node-0", port0), ("node-1", port1));

        var result = await Meshctl.RunAsync(control.HostPort, "zc", "workloads", "--state-dir", mesh.StateDir);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal($"meshctl: {control.HostPort} is a control member (control-0 of the local mesh); ztunnel views are served by the " +
                     $"node members: node-0 127.0.0.1:{port0}, node-1 127.0.0.1:{port1} (e.g. 'meshctl 127.0.0.1:{port0} zc workloads', " +
                     $"or 'meshctl zc workloads --state-dir {mesh.StateDir}' for every node of the local mesh)\n", result.Err);
    }

    [Fact]
    public async Task Localhost_names_the_same_local_member()
    {
        await using var control = await MemberAsync("control");
        var port0 = Meshctl.FreePort();
        using var mesh = new FakeLocalMesh(FakeLocalMesh.Port(control), ("node-0", port0));

        var result = await Meshctl.RunAsync($"localhost:{FakeLocalMesh.Port(control)}", "zc", "policies", "--state-dir", mesh.StateDir);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"is a control member (control-0 of the local mesh); ztunnel views are served by the node members: node-0 127.0.0.1:{port0} ", result.Err);
    }

    [Fact]
    public async Task A_control_outside_the_local_mesh_names_the_clusters_node_members()
    {
        await using var control = await MemberAsync("control", Fixtures.Cluster);

        var result = await Meshctl.RunAsync(control.HostPort, "zc", "services", "--state-dir", _noMesh);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"meshctl: {control.HostPort} is a control member; ztunnel views are served by the node members " +
                     "(akka.tcp://mesh@10.0.0.3:4053, akka.tcp://mesh@10.0.0.2:4053), whose command endpoints the cluster does not publish: " +
                     "pass a node's command endpoint (its Mesh:AdminPort, on that node's host), 'meshctl HOST:PORT zc services'\n", result.Err);
    }

    [Fact]
    public async Task A_waypoint_says_it_is_one_and_points_at_the_local_meshs_nodes()
    {
        var cluster = new ClusterView("akka.tcp://mesh@10.0.0.1:4053", null,
            [new MemberView("akka.tcp://mesh@10.0.0.1:4053", ["waypoint"], "Up", true)]);
        await using var waypoint = await MemberAsync("waypoint", cluster);
        var port0 = Meshctl.FreePort();
        using var mesh = new FakeLocalMesh(Meshctl.FreePort(), ("node-0", port0));

        var result = await Meshctl.RunAsync(waypoint.HostPort, "zc", "connections", "--state-dir", mesh.StateDir);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"meshctl: {waypoint.HostPort} is a waypoint member; ztunnel views are served by the node members (its cluster has " +
                     "no node members now): pass a node's command endpoint (its Mesh:AdminPort, on that node's host), " +
                     $"'meshctl HOST:PORT zc connections'; the running local mesh's nodes are node-0 127.0.0.1:{port0}\n", result.Err);
    }

    [Fact]
    public async Task An_endpoint_that_is_no_mesh_member_says_so()
    {
        await using var other = await FakeCommandEndpoint.StartAsync(_ => { });

        var result = await Meshctl.RunAsync(other.HostPort, "zc", "certificates", "--state-dir", _noMesh);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"meshctl: {other.HostPort} is not a mesh member's command endpoint (it answered Not Found (HTTP 404) to the ztunnel " +
                     $"view, and Not Found (HTTP 404) to {AdminRoutes.Status}); ztunnel views are served by the node members' command " +
                     "endpoints: pass a node's (its Mesh:AdminPort), 'meshctl HOST:PORT zc certificates'\n", result.Err);
    }

    [Fact]
    public async Task Every_view_explains_instead_of_a_bare_404()
    {
        await using var control = await MemberAsync("control", Fixtures.Cluster);

        foreach (var view in new[] { "workloads", "services", "policies", "connections", "certificates", "all" })
        {
            var result = await Meshctl.RunAsync(control.HostPort, "zc", view, "--state-dir", _noMesh);

            Assert.Equal(1, result.ExitCode);
            Assert.StartsWith($"meshctl: {control.HostPort} is a control member; ztunnel views are served by the node members", result.Err);
            Assert.DoesNotContain("(HTTP 404)", result.Err);
        }
    }
}
