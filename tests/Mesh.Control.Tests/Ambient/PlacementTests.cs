using k8s.Models;
using Mesh.Control.Ambient;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class PlacementTests
{
    private static readonly AmbientOptions ThreeNodes = Options with { Nodes = ["n0", "n1", "n2"] };

    private static List<V1Pod> Pods(int count) => Enumerable.Range(0, count).Select(i => Pod("a", $"p{i}")).ToList();

    [Fact]
    public void Same_input_twice_gives_equal_state()
    {
        var first = Compute(Set([AmbientNamespace("a")], Pods(30), [Service("a", "s", Labels(("x", "y")), Port(80))]), ThreeNodes);
        var second = Compute(Set([AmbientNamespace("a")], Pods(30), [Service("a", "s", Labels(("x", "y")), Port(80))]), ThreeNodes);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Input_order_does_not_matter()
    {
        var pods = Pods(20);
        var forward = Compute(Set([AmbientNamespace("a")], pods), ThreeNodes);
        var reversed = Compute(Set([AmbientNamespace("a")], Enumerable.Reverse(Pods(20))), ThreeNodes);
        Assert.Equal(forward, reversed);
    }

    [Fact]
    public void Adding_a_pod_does_not_move_other_pods_between_nodes()
    {
        var before = Compute(Set([AmbientNamespace("a")], Pods(20)), ThreeNodes);
        var after = Compute(Set([AmbientNamespace("a")], [.. Pods(20), Pod("a", "newcomer")]), ThreeNodes);
        foreach (var w in before.Workloads) Assert.Equal(w.Node, after.Workload("a", w.Name).Node);
    }

    [Fact]
    public void Pods_spread_over_configured_nodes()
    {
        var state = Compute(Set([AmbientNamespace("a")], Pods(60)), ThreeNodes);
        Assert.Equal(["n0", "n1", "n2"], state.Workloads.Select(w => w.Node).Distinct().Order());
    }

    [Fact]
    public void Spec_node_name_wins()
    {
        var pod = Pod("a", "p");
        pod.Spec.NodeName = "n2";
        Assert.Equal("n2", Compute(Set([AmbientNamespace("a")], [pod]), ThreeNodes).Workload("a", "p").Node);
    }

    [Fact]
    public void Allocated_addresses_come_from_the_node_pod_cidr_and_are_unique()
    {
        var state = Compute(Set([AmbientNamespace("a")], Pods(60)), ThreeNodes);
        foreach (var w in state.Workloads)
        {
            var index = ThreeNodes.Nodes.ToList().IndexOf(w.Node);
            var address = Assert.Single(w.Addresses);
            Assert.StartsWith($"10.244.{index}.", address);
            var last = int.Parse(address.Split('.')[3]);
            Assert.InRange(last, 2, 254);
        }
        Assert.Equal(60, state.Workloads.Select(w => w.Addresses[0]).Distinct().Count());
    }

    [Fact]
    public void Status_pod_ip_is_used_and_never_handed_out_again()
    {
        var pods = Pods(40);
        var fixedPod = Pod("a", "fixed").WithStatus(ip: "10.244.0.7");
        var state = Compute(Set([AmbientNamespace("a")], [.. pods, fixedPod]));
        Assert.Equal(["10.244.0.7"], state.Workload("a", "fixed").Addresses);
        Assert.Single(state.Workloads, w => w.Addresses.Contains("10.244.0.7"));
    }

    [Fact]
    public void Unknown_spec_node_gets_an_index_after_the_configured_nodes()
    {
        var pod = Pod("a", "p");
        pod.Spec.NodeName = "elsewhere";
        var address = Compute(Set([AmbientNamespace("a")], [pod]), ThreeNodes).Workload("a", "p").Addresses[0];
        Assert.StartsWith("10.244.3.", address);
    }

    [Fact]
    public void Exhausted_node_range_is_reported()
    {
        var state = Compute(Set([AmbientNamespace("a")], Pods(254)));
        Assert.Single(state.Workloads, w => w.Addresses.Count == 0);
        Assert.Contains(state.Warnings, w => w.Contains("exhausted") && w.Contains("node-0"));
    }
}
