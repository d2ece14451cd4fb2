using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class ServiceBindingTests
{
    [Fact]
    public void Selector_match_binds_the_pod_with_port_mappings()
    {
        var pod = Pod("a", "p", ("app", "web"), ("tier", "front")).WithPorts(("http", 8080));
        var svc = Service("a", "web", Labels(("app", "web")), Port(80, "http"), Port(90, "9090"), Port(100));
        var w = Compute(Set([AmbientNamespace("a")], [pod], [svc])).Workload("a", "p");
        var binding = Assert.Single(w.Services);
        Assert.Equal("a/web.a.svc.cluster.local", binding.ServiceKey);
        Assert.Equal([new PortMapping(80, 8080), new PortMapping(90, 9090), new PortMapping(100, 100)], binding.Ports);
    }

    [Fact]
    public void Unresolvable_named_port_is_omitted()
    {
        var pod = Pod("a", "p", ("app", "web")).WithPorts(("metrics", 9000));
        var svc = Service("a", "web", Labels(("app", "web")), Port(80, "http"), Port(81));
        var binding = Assert.Single(Compute(Set([AmbientNamespace("a")], [pod], [svc])).Workload("a", "p").Services);
        Assert.Equal([new PortMapping(81, 81)], binding.Ports);
    }

    [Fact]
    public void Services_in_other_namespaces_do_not_select_the_pod()
    {
        var pod = Pod("a", "p", ("app", "web"));
        var svc = Service("b", "web", Labels(("app", "web")), Port(80));
        Assert.Empty(Compute(Set([AmbientNamespace("a")], [pod], [svc])).Workload("a", "p").Services);
    }

    [Fact]
    public void Non_matching_and_empty_selectors_do_not_bind()
    {
        var pod = Pod("a", "p", ("app", "web"));
        var state = Compute(Set([AmbientNamespace("a")], [pod],
            [Service("a", "other", Labels(("app", "db")), Port(80)), Service("a", "manual", null, Port(80)), Service("a", "empty", Labels(), Port(80))]));
        Assert.Empty(state.Workload("a", "p").Services);
    }

    [Fact]
    public void Several_services_are_sorted_by_key()
    {
        var pod = Pod("a", "p", ("app", "web"));
        var state = Compute(Set([AmbientNamespace("a")], [pod],
            [Service("a", "zeta", Labels(("app", "web")), Port(80)), Service("a", "alpha", Labels(("app", "web")), Port(80))]));
        Assert.Equal(["a/alpha.a.svc.cluster.local", "a/zeta.a.svc.cluster.local"], state.Workload("a", "p").Services.Select(s => s.ServiceKey));
    }
}
