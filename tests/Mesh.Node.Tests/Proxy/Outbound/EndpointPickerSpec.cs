using Mesh.Node.Proxy.Outbound;
using Mesh.Protocol.Model;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Outbound;

public class EndpointPickerSpec
{
    private static readonly Locality Here = new("eu", "eu-1a", "rack-1");
    private static readonly ValueList<LocalityScope> PreferClose =
        ValueList.Of(LocalityScope.Network, LocalityScope.Region, LocalityScope.Zone, LocalityScope.Subzone);

    private readonly EndpointPicker _picker = new();
    private readonly SourceLocality _source = new("node-a", "", "Kubernetes", Here);

    private string[] PickNames(Service service, IReadOnlyList<Workload> endpoints, int count) =>
        Enumerable.Range(0, count).Select(_ => _picker.Pick(service, endpoints, 80, _source)?.Workload.Name ?? "-").ToArray();

    [Fact]
    public void Round_robin_over_healthy_endpoints_serving_the_port()
    {
        Workload[] endpoints =
        [
            Endpoint("a", "10.0.0.1"),
            Endpoint("sick", "10.0.0.2", status: WorkloadStatus.Unhealthy),
            Endpoint("b", "10.0.0.3"),
            Pod("other-service", "10.0.0.4"),
            Endpoint("c", "10.0.0.5"),
        ];
        Assert.Equal(["a", "b", "c", "a", "b", "c"], PickNames(Echo(), endpoints, 6));
    }

    [Fact]
    public void The_target_port_comes_from_the_endpoint()
    {
        var picked = _picker.Pick(Echo(), [Endpoint("a", "10.0.0.1")], 80, _source);
        Assert.Equal(8080, picked!.Value.TargetPort);
    }

    [Fact]
    public void No_healthy_endpoint_picks_nothing()
    {
        Assert.Null(_picker.Pick(Echo(), [Endpoint("sick", "10.0.0.2", status: WorkloadStatus.Unhealthy)], 80, _source));
        Assert.Null(_picker.Pick(Echo(), [], 80, _source));
    }

    [Fact]
    public void Without_a_preference_locality_is_ignored()
    {
        Workload[] endpoints = [Endpoint("far", "10.0.0.1", locality: new("us", "us-1a", "")), Endpoint("near", "10.0.0.2", locality: Here)];
        Assert.Equal(["far", "near", "far"], PickNames(Echo(), endpoints, 3));
    }

    [Fact]
    public void Prefer_close_picks_only_the_closest_endpoints_and_falls_back_outward()
    {
        var service = Echo(new LoadBalancing(PreferClose, LoadBalancingMode.Failover));
        var sameSubzone1 = Endpoint("subzone-1", "10.0.0.1", locality: Here);
        var sameSubzone2 = Endpoint("subzone-2", "10.0.0.2", locality: Here);
        var sameZone = Endpoint("zone", "10.0.0.3", locality: Here with { Subzone = "rack-9" });
        var sameRegion = Endpoint("region", "10.0.0.4", locality: Here with { Zone = "eu-1b", Subzone = "" });
        var elsewhere = Endpoint("elsewhere", "10.0.0.5", locality: new("us", "us-1a", ""));

        Workload[] all = [elsewhere, sameRegion, sameZone, sameSubzone1, sameSubzone2];
        Assert.Equal(["subzone-1", "subzone-2", "subzone-1"], PickNames(service, all, 3));
        Assert.Equal(["zone", "zone"], PickNames(service, [elsewhere, sameRegion, sameZone], 2));
        Assert.Equal(["region"], PickNames(service, [elsewhere, sameRegion], 1));
        Assert.Equal(["elsewhere"], PickNames(service, [elsewhere], 1));
        // An unhealthy close endpoint does not count: the next ring takes over.
        Assert.Equal(["zone"], PickNames(service, [sameZone, sameSubzone1 with { Status = WorkloadStatus.Unhealthy }], 1));
    }

    [Fact]
    public void Prefer_same_node_puts_the_node_last_in_rank()
    {
        var service = Echo(new LoadBalancing(PreferClose.Append(LocalityScope.Node).ToValueList(), LoadBalancingMode.Failover));
        Workload[] endpoints =
        [
            Endpoint("other-node", "10.0.0.1", node: "node-b", locality: Here),
            Endpoint("this-node", "10.0.0.2", node: "node-a", locality: Here),
        ];
        Assert.Equal(["this-node", "this-node"], PickNames(service, endpoints, 2));
    }

    [Fact]
    public void Strict_keeps_only_endpoints_matching_every_scope()
    {
        // internalTrafficPolicy: Local → same node only; no fallback to other nodes.
        var service = Echo(new LoadBalancing(ValueList.Of(LocalityScope.Node), LoadBalancingMode.Strict));
        Workload[] endpoints = [Endpoint("remote", "10.0.0.1", node: "node-b"), Endpoint("local", "10.0.0.2", node: "node-a")];
        Assert.Equal(["local", "local"], PickNames(service, endpoints, 2));
        Assert.Null(_picker.Pick(service, [endpoints[0]], 80, _source));
    }

    [Fact]
    public void Rank_counts_matching_scopes_in_order_until_the_first_mismatch()
    {
        var endpoint = Endpoint("x", "10.0.0.1", locality: Here with { Zone = "eu-1b" });
        Assert.Equal(2, EndpointPicker.Rank(PreferClose, _source, endpoint)); // network, region; zone differs
        // A matching subzone after a mismatched zone does not count.
        Assert.Equal(0, EndpointPicker.Rank(ValueList.Of(LocalityScope.Zone, LocalityScope.Subzone), _source, endpoint));
    }

    [Fact]
    public void An_unknown_source_still_prefers_its_node()
    {
        var service = Echo(new LoadBalancing(ValueList.Of(LocalityScope.Node), LoadBalancingMode.Strict));
        var picked = _picker.Pick(service, [Endpoint("remote", "10.0.0.1", node: "node-b"), Endpoint("local", "10.0.0.2")], 80,
            SourceLocality.OnNode("node-a"));
        Assert.Equal("local", picked!.Value.Workload.Name);
    }

    [Fact]
    public void Round_robin_is_kept_per_service()
    {
        var other = Echo() with { Name = "other", Hostname = "other.demo.svc.cluster.local" };
        Workload[] echoEndpoints = [Endpoint("a", "10.0.0.1"), Endpoint("b", "10.0.0.2")];
        Assert.Equal("a", _picker.Pick(Echo(), echoEndpoints, 80, _source)!.Value.Workload.Name);
        Assert.Null(_picker.Pick(other, echoEndpoints, 80, _source)); // bound to echo, not other
        Assert.Equal("b", _picker.Pick(Echo(), echoEndpoints, 80, _source)!.Value.Workload.Name);
    }
}
