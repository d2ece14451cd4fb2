using Mesh.Control.Ambient;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class ServiceTests
{
    private static readonly Dictionary<string, string> App = Labels(("app", "web"));

    [Fact]
    public void Service_fields_and_explicit_cluster_ip()
    {
        var svc = Service("a", "web", App, Port(80, "8080", "http"));
        svc.Spec.ClusterIP = "10.96.5.5";
        var s = Compute(Set([AmbientNamespace("a")], services: [svc])).Service("a", "web");
        Assert.Equal(("web", "a", "web.a.svc.cluster.local"), (s.Name, s.Namespace, s.Hostname));
        Assert.Equal(["10.96.5.5"], s.Addresses);
        Assert.Equal([new ServicePort(80, 8080, "http", "HTTP")], s.Ports);
        Assert.Equal("a/web.a.svc.cluster.local", s.Key);
    }

    [Fact]
    public void Domain_suffix_is_configurable()
    {
        var s = Compute(Set(services: [Service("a", "web", App, Port(80))]), Options with { DomainSuffix = "mesh.test" }).Service("a", "web");
        Assert.Equal("web.a.svc.mesh.test", s.Hostname);
    }

    [Fact]
    public void Missing_cluster_ip_is_allocated_deterministically_without_collisions()
    {
        var services = Enumerable.Range(0, 50).Select(i => Service("a", $"s{i}", App, Port(80))).ToList();
        var explicitOne = Service("a", "fixed", App, Port(80));
        explicitOne.Spec.ClusterIP = "10.96.0.10";
        var state1 = Compute(Set(services: [.. services, explicitOne]));
        var state2 = Compute(Set(services: [explicitOne, .. services]));
        Assert.Equal(state1.Services, state2.Services);
        var all = state1.Services.SelectMany(s => s.Addresses).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(state1.Services, s => Assert.StartsWith("10.96.", Assert.Single(s.Addresses)));
    }

    [Fact]
    public void Headless_service_has_no_vip()
    {
        var svc = Service("a", "db", App, Port(5432));
        svc.Spec.ClusterIP = "None";
        Assert.Empty(Compute(Set(services: [svc])).Service("a", "db").Addresses);
    }

    [Fact]
    public void External_name_service_is_skipped_with_warning()
    {
        var svc = Service("a", "ext", null, Port(443));
        svc.Spec.Type = "ExternalName";
        svc.Spec.ExternalName = "example.com";
        var state = Compute(Set(services: [svc]));
        Assert.Empty(state.Services);
        Assert.Contains(state.Warnings, w => w.Contains("a/ext") && w.Contains("ExternalName"));
    }

    [Theory]
    [InlineData("http-web", null, "HTTP")]
    [InlineData("http", null, "HTTP")]
    [InlineData("http2-x", null, "HTTP2")]
    [InlineData("grpc-api", null, "GRPC")]
    [InlineData("grpc-web", null, "GRPC-Web")]
    [InlineData("tcp-db", null, "TCP")]
    [InlineData("tls", null, "TLS")]
    [InlineData("https-x", null, "HTTPS")]
    [InlineData("mongo", null, "Mongo")]
    [InlineData("web", null, "")]
    [InlineData(null, null, "")]
    [InlineData("tcp-x", "http", "HTTP")]
    [InlineData("tcp-x", "kubernetes.io/h2c", "HTTP2")]
    [InlineData("x", "custom.io/thing", "custom.io/thing")]
    public void App_protocol_from_field_or_port_name(string? name, string? appProtocol, string expected)
    {
        var s = Compute(Set(services: [Service("a", "s", App, Port(80, name: name, appProtocol: appProtocol))])).Service("a", "s");
        Assert.Equal(expected, s.Ports[0].AppProtocol);
    }

    [Fact]
    public void Named_and_unset_target_ports()
    {
        var s = Compute(Set(services: [Service("a", "s", App, Port(80, "http"), Port(81))])).Service("a", "s");
        Assert.Equal([new ServicePort(80, 0, "", ""), new ServicePort(81, 81, "", "")], s.Ports);
    }

    [Theory]
    [InlineData("PreferClose", null)]
    [InlineData(null, "PreferClose")]
    public void Prefer_close_sets_failover_locality_preference(string? field, string? annotation)
    {
        var svc = Service("a", "s", App, Port(80));
        svc.Spec.TrafficDistribution = field;
        if (annotation is not null) svc.Metadata.Annotations = new Dictionary<string, string> { [AmbientLabels.TrafficDistribution] = annotation };
        var lb = Compute(Set(services: [svc])).Service("a", "s").LoadBalancing;
        Assert.Equal(new LoadBalancing(
            ValueList.Of(LocalityScope.Network, LocalityScope.Region, LocalityScope.Zone, LocalityScope.Subzone),
            LoadBalancingMode.Failover), lb);
    }

    [Fact]
    public void Internal_traffic_policy_local_is_strict_node()
    {
        var svc = Service("a", "s", App, Port(80));
        svc.Spec.InternalTrafficPolicy = "Local";
        Assert.Equal(new LoadBalancing(ValueList.Of(LocalityScope.Node), LoadBalancingMode.Strict),
            Compute(Set(services: [svc])).Service("a", "s").LoadBalancing);
    }

    [Fact]
    public void No_traffic_distribution_means_no_load_balancing_preference()
    {
        Assert.Null(Compute(Set(services: [Service("a", "s", App, Port(80))])).Service("a", "s").LoadBalancing);
    }
}
