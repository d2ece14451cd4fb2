using Mesh.Control.Distribution;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Distribution.TestState;

namespace Mesh.Control.Tests.Distribution;

public class DistributionPlanTests
{
    [Fact]
    public void Each_node_gets_only_its_workloads_services_and_applicable_policies()
    {
        var a = Workload("demo", "a", "node-0", "10.244.0.2", "echo");
        var b = Workload("demo", "b", "node-1", "10.244.1.2", "echo") with { AuthorizationPolicies = ValueList.Of("demo/only-b") };
        var c = Workload("other", "c", "node-1", "10.244.1.3");
        var echo = Service("demo", "echo", "10.96.0.10");
        var global = Policy("istio-system", "global", PolicyScope.Global);
        var demoNs = Policy("demo", "ns-wide", PolicyScope.Namespace);
        var onlyB = Policy("demo", "only-b", PolicyScope.WorkloadSelector);
        var elsewhere = Policy("elsewhere", "ns-wide", PolicyScope.Namespace);

        var plan = DistributionPlan.From([a, b, c], [echo], [global, demoNs, onlyB, elsewhere]);

        Assert.Equal(["node-0", "node-1"], plan.Nodes.Keys.Order());
        var node0 = plan.Nodes["node-0"];
        Assert.Equal([a], node0.Workloads);
        Assert.Equal([echo], node0.Services);
        Assert.Equal(["demo/ns-wide", "istio-system/global"], node0.Policies.Select(p => p.Key));
        var node1 = plan.Nodes["node-1"];
        Assert.Equal([b.Uid, c.Uid], node1.Workloads.Select(w => w.Uid));
        Assert.Equal(["demo/ns-wide", "demo/only-b", "istio-system/global"], node1.Policies.Select(p => p.Key));
    }

    [Fact]
    public void Addresses_resolve_to_workloads_and_service_vips_with_their_endpoints()
    {
        var a = Workload("demo", "a", "node-0", "10.244.0.2", "echo");
        var b = Workload("demo", "b", "node-1", "10.244.1.2", "echo");
        var echo = Service("demo", "echo", "10.96.0.10");

        var plan = DistributionPlan.From([a, b], [echo], []);

        Assert.Equal(a, plan.Addresses["10.244.0.2"].Workload);
        var vip = plan.Addresses["10.96.0.10"];
        Assert.Equal(echo, vip.Service);
        Assert.Equal([a.Uid, b.Uid], vip.Endpoints.Select(w => w.Uid));
        Assert.False(plan.Addresses.ContainsKey("10.244.9.9"));
        var byName = plan.Addresses["echo.demo.svc.cluster.local"];
        Assert.Equal(echo, byName.Service);
        Assert.Equal(vip.Endpoints, byName.Endpoints);
    }

    [Fact]
    public void Equal_input_gives_equal_slices_so_replicas_agree()
    {
        var w = Workload("demo", "a", "node-0", "10.244.0.2", "echo");
        var s = Service("demo", "echo", "10.96.0.10");
        var one = DistributionPlan.From([w], [s], []);
        var two = DistributionPlan.From([w with { }], [s with { }], []);
        Assert.Equal(one.Nodes["node-0"], two.Nodes["node-0"]);
        Assert.Equal(one.Addresses["10.96.0.10"], two.Addresses["10.96.0.10"]);
    }
}
