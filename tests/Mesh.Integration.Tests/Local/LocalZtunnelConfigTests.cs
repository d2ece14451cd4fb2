using System.Text.Json;
using Mesh.Integration.Tests.Harness;

namespace Mesh.Integration.Tests.Local;

/// <summary>
/// <c>meshctl zc</c> against a real local mesh (quickstart, two nodes): without HOST:PORT it shows both nodes' ztunnel
/// views with a NODE column, <c>--node</c> picks one, and the control's endpoint explains where the views are.
/// </summary>
public sealed class LocalZtunnelConfigTests
{
    [RootFact]
    public async Task Zc_without_an_endpoint_shows_every_nodes_workloads_and_the_control_points_at_the_nodes()
    {
        await using var mesh = LocalMesh.FromQuickstart();
        await mesh.UpAsync(nodes: 2);
        var status = await mesh.StatusAsync();
        var nodes = status.Members.Where(m => m.Role == "node").ToList();
        Assert.Equal(["node-0", "node-1"], nodes.Select(n => n.Name));

        var table = await mesh.MeshctlAsync("zc", "workloads");

        Assert.True(table.ExitCode == 0, table.Output);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NODE", "NAMESPACE", "POD", "NAME", "ADDRESS", "NODE", "WAYPOINT", "PROTOCOL"], Cells(lines[0]));
        var rows = lines.Skip(1).Select(Cells).ToList();
        // Every pod the supervisor runs, reported by its own node's ztunnel (the first NODE) and placed there (istioctl's NODE).
        var expected = status.Pods.Select(p => (p.Node, p.Namespace, p.Name, p.Ip, p.Node)).OrderBy(p => p.ToString(), StringComparer.Ordinal);
        Assert.Equal(expected, rows.Select(r => (r[0], r[1], r[2], r[3], r[4])).OrderBy(p => p.ToString(), StringComparer.Ordinal));
        Assert.Equal(["node-0", "node-1"], rows.Select(r => r[0]).Distinct().Order(StringComparer.Ordinal));

        var json = await mesh.MeshctlAsync("zc", "workloads", "-o", "json", "--node", "node-1");
        Assert.True(json.ExitCode == 0, json.Output);
        using var document = JsonDocument.Parse(json.Stdout);
        var entries = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(status.Pods.Count(p => p.Node == "node-1"), entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal("node-1", e.GetProperty("node").GetString());
            Assert.Equal("node-1", e.GetProperty("workload").GetProperty("node").GetString());
        });

        var control = await mesh.MeshctlAsync(status.ControlEndpoint, "zc", "workloads");
        Assert.Equal(1, control.ExitCode);
        Assert.Contains($"{status.ControlEndpoint} is a control member (control-0 of the local mesh); ztunnel views are served by " +
                        $"the node members: node-0 127.0.0.1:{nodes[0].AdminPort}, node-1 127.0.0.1:{nodes[1].AdminPort}", control.Output);
        Assert.DoesNotContain("(HTTP 404)", control.Output);
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
