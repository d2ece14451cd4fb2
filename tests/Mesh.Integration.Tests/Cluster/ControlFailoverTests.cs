using Mesh.Integration.Tests.Harness;

namespace Mesh.Integration.Tests.Cluster;

/// <summary>
/// Two control and two node members as separate processes; one control member is SIGKILLed and the nodes must
/// still receive state changes made after the kill (sharded entities move to the survivor and are rebuilt).
/// </summary>
public class ControlFailoverTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Nodes_receive_changes_made_after_a_control_member_is_killed()
    {
        await using var mesh = new MeshCluster();
        mesh.WriteManifest("demo.yaml", Manifests.Documents(
            Manifests.AmbientNamespace, Manifests.Pod("a1", "node-a"), Manifests.Pod("b1", "node-b")));
        mesh.PlanSeeds(2);
        var control1 = mesh.StartControl("control-1");
        var control2 = mesh.StartControl("control-2");
        var nodeA = mesh.StartNode("node-a");
        var nodeB = mesh.StartNode("node-b");

        await mesh.WaitForUpAsync(control2, [control1, control2, nodeA, nodeB], Startup);
        await mesh.WaitForPodsAsync(nodeA, ["a1"], Startup);
        await mesh.WaitForPodsAsync(nodeB, ["b1"], Startup);

        // The first control member is the oldest: it hosts the shard coordinator and usually shards too.
        control1.Kill();

        mesh.WriteManifest("more.yaml", Manifests.Documents(Manifests.Pod("a2", "node-a"), Manifests.Pod("b2", "node-b")));

        await mesh.WaitForPodsAsync(nodeA, ["a1", "a2"], TimeSpan.FromSeconds(60));
        await mesh.WaitForPodsAsync(nodeB, ["b1", "b2"], TimeSpan.FromSeconds(60));
        var view = await mesh.WaitForUpAsync(control2, [control2, nodeA, nodeB], TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(view.Members, m => m.Address == control1.Address);

        // And a removal after the kill reaches the node too.
        File.Delete(Path.Combine(mesh.ManifestDir, "more.yaml"));
        await mesh.WaitForPodsAsync(nodeB, ["b1"], TimeSpan.FromSeconds(60));
    }
}
