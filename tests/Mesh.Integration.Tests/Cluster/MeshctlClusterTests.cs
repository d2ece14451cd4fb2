using System.Text.Json;
using Mesh.Integration.Tests.Harness;
using Mesh.Protocol.Admin;

namespace Mesh.Integration.Tests.Cluster;

/// <summary>Drives the real meshctl binary against a running multi-process cluster.</summary>
public class MeshctlClusterTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);

    private static Task<(int Exit, string Out, string Err)> Meshctl(params string[] args) => MeshctlBinary.RunAsync(args);

    [Fact]
    public async Task Cluster_show_lists_every_member_with_its_role_and_leave_removes_one()
    {
        await using var mesh = new MeshCluster();
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a")));
        var control = mesh.StartControl("control-1");
        var nodeA = mesh.StartNode("node-a");
        var nodeB = mesh.StartNode("node-b");
        await mesh.WaitForUpAsync(control, [control, nodeA, nodeB], Startup);

        var (exit, output, error) = await Meshctl(control.AdminEndpoint, "cluster", "show");
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains(control.Address) && l.Contains("[control]") && l.Contains("up"));
        Assert.Contains(lines, l => l.Contains(nodeA.Address) && l.Contains("[node]") && l.Contains("up"));
        Assert.Contains(lines, l => l.Contains(nodeB.Address) && l.Contains("[node]") && l.Contains("up"));
        Assert.Equal("Count: 3 nodes", lines[^1].Trim());

        var (jsonExit, json, _) = await Meshctl("--endpoint", nodeA.AdminEndpoint, "cluster", "show", "-o", "json");
        Assert.Equal(0, jsonExit);
        var view = JsonSerializer.Deserialize<ClusterView>(json, AdminJson.Options)!;
        Assert.Equal(3, view.Members.Count);

        var (leaveExit, leaveOut, leaveErr) = await Meshctl(control.AdminEndpoint, "cluster", "leave", nodeB.Address);
        Assert.True(leaveExit == 0, leaveErr);
        Assert.Contains(nodeB.Address, leaveOut);

        await mesh.WaitForUpAsync(control, [control, nodeA], TimeSpan.FromSeconds(60));
        Assert.True(await nodeB.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the member that left should shut down");
        var (_, after, _) = await Meshctl(control.AdminEndpoint, "cluster", "show");
        Assert.DoesNotContain(nodeB.Address, after);
        Assert.Contains("Count: 2 nodes", after);
    }

    [Fact]
    public async Task Zc_workloads_shows_a_nodes_pods_and_a_bad_edit_keeps_the_last_good_state()
    {
        await using var mesh = new MeshCluster("node-a");
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a")));
        var control = mesh.StartControl("control-1");
        var nodeA = mesh.StartNode("node-a");
        await mesh.WaitForPodsAsync(nodeA, ["a1"], Startup);

        var (exit, output, error) = await Meshctl(nodeA.AdminEndpoint, "zc", "workloads");
        Assert.True(exit == 0, error);
        var row = output.Split('\n').Single(l => l.Contains("a1"));
        Assert.Contains("demo", row);
        Assert.Contains("node-a", row);
        Assert.Contains("HBONE", row);

        var (statusExit, status, _) = await Meshctl(control.AdminEndpoint, "config", "status");
        Assert.Equal(0, statusExit);
        Assert.Contains(mesh.ManifestDir, status);
        Assert.Contains("Errors: none", status);

        // A bad edit: the error is reported with file, document and field; the node keeps the last good state.
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a"),
            Manifests.Pod("a2", "node-a").Replace("containerPort: 8080", "containerPort: 80800")));
        var broken = await Eventually.Until(async () => (await Meshctl(control.AdminEndpoint, "config", "status")).Out,
            text => text.Contains("demo.yaml document 2 (Pod demo/a2): spec.containers[0].ports[0].containerPort"),
            TimeSpan.FromSeconds(30), () => "config status reporting the bad containerPort");
        Assert.Contains("Errors (1)", broken);
        await mesh.WaitForPodsAsync(nodeA, ["a1"], TimeSpan.FromSeconds(5));

        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a"),
            Manifests.Pod("a2", "node-a")));
        await mesh.WaitForPodsAsync(nodeA, ["a1", "a2"], TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Config_status_reports_refused_waypoint_listeners_and_broken_bindings_and_waypoint_list_shows_the_gateways()
    {
        await using var mesh = new MeshCluster("node-a");
        const string waypoints = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: waypoint
              namespace: demo
            spec:
              gatewayClassName: istio-waypoint
              listeners:
              - name: mesh
                port: 15008
                protocol: HBONE
              - name: http
                port: 80
                protocol: HTTP
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata:
              name: no-hbone
              namespace: demo
            spec:
              gatewayClassName: istio-waypoint
              listeners:
              - name: http
                port: 8080
                protocol: HTTP
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: bound
              namespace: demo
              labels:
                istio.io/use-waypoint: no-hbone
            spec:
              selector: {app: a1}
              ports:
              - port: 80
            """;
        mesh.WriteManifest("demo.yaml", Manifests.Documents(Manifests.AmbientNamespace, waypoints));
        var control = mesh.StartControl("control-1");

        var status = await Eventually.Until(async () => (await Meshctl(control.AdminEndpoint, "config", "status")).Out,
            text => text.Contains("Warnings ("), TimeSpan.FromSeconds(60), () => "config status listing warnings");
        Assert.Contains("Errors: none", status);
        Assert.Contains("gateway demo/waypoint listener 'http' (protocol HTTP, port 80): Accepted=False, reason UnsupportedProtocol", status);
        Assert.Contains("gateway demo/no-hbone: Accepted=False, reason ListenersNotValid", status);
        Assert.Contains("service demo/bound uses waypoint demo/no-hbone, which is not an accepted istio-waypoint Gateway", status);
        Assert.DoesNotContain("gateway demo/waypoint:", status); // its HBONE listener makes it a waypoint all the same

        // The same Gateways through istioctl's waypoint views.
        var (listExit, list, listError) = await Meshctl(control.AdminEndpoint, "waypoint", "list", "-n", "demo");
        Assert.True(listExit == 0, listError);
        Assert.Equal(["NAME REVISION TRAFFIC TYPE PROGRAMMED", "no-hbone default service False", "waypoint default service False"],
            list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        var (_, waypointStatus, _) = await Meshctl(control.AdminEndpoint, "waypoint", "status", "-n", "demo");
        Assert.Contains(waypointStatus.Split('\n'), l => l.StartsWith("no-hbone", StringComparison.Ordinal) && l.Contains("ListenersNotValid"));
        Assert.Contains(waypointStatus.Split('\n'), l => l.StartsWith("waypoint", StringComparison.Ordinal) && l.Contains("Pending"));
    }
}
