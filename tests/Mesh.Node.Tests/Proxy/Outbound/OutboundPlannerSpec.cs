using Mesh.Node.Proxy.Outbound;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Outbound;

/// <summary>Every branch of the ztunnel decision order (istio/ztunnel's), in that order.</summary>
public class OutboundPlannerSpec
{
    private readonly OutboundPlanner _planner = new("node-a");
    private readonly Workload _client = Pod("client", "10.0.0.2");

    [Fact]
    public void A_service_vip_with_a_waypoint_goes_to_the_waypoint_with_the_vip_as_authority()
    {
        var service = Echo(waypoint: Waypoint);
        var route = _planner.Plan(_client, At(Vip, 80), ServiceRecord(service, Endpoint("echo-1", "10.0.0.3")));

        Assert.Equal(RouteKind.Waypoint, route.Kind);
        Assert.Equal(Waypoint, route.Waypoint);
        Assert.Equal(At(Vip, 80), route.Target);
        Assert.Same(service, route.Service);
        // Until waypoints exist the connection takes the direct route, which is already planned.
        Assert.Equal(RouteKind.Hbone, route.Fallback!.Kind);
        Assert.Equal(At("10.0.0.3", 8080), route.Fallback.Target);
    }

    [Fact]
    public void The_service_waypoint_wins_over_the_endpoint_waypoint()
    {
        var endpoint = Endpoint("echo-1", "10.0.0.3") with { Waypoint = new WaypointRef("demo", "pod-waypoint", "pw.demo.svc.cluster.local") };
        var route = _planner.Plan(_client, At(Vip, 80), ServiceRecord(Echo(waypoint: Waypoint), endpoint));
        Assert.Equal(Waypoint, route.Waypoint);
    }

    [Fact]
    public void A_workload_addressed_directly_with_a_waypoint_goes_to_the_waypoint()
    {
        var server = Pod("server", "10.0.0.3", waypoint: Waypoint);
        var route = _planner.Plan(_client, At("10.0.0.3", 9000), WorkloadRecord(server));

        Assert.Equal(RouteKind.Waypoint, route.Kind);
        Assert.Equal(At("10.0.0.3", 9000), route.Target);
        Assert.Same(server, route.Workload);
        Assert.Equal(RouteKind.Hbone, route.Fallback!.Kind);
    }

    [Fact]
    public void A_service_without_waypoint_ignores_the_endpoints_own_waypoint()
    {
        // The workload's waypoint applies to traffic addressed to the workload, not to the service (ztunnel).
        var endpoint = Endpoint("echo-1", "10.0.0.3") with { Waypoint = Waypoint };
        var route = _planner.Plan(_client, At(Vip, 80), ServiceRecord(Echo(), endpoint));
        Assert.Equal(RouteKind.Hbone, route.Kind);
    }

    [Fact]
    public void An_hbone_workload_behind_a_service_gets_hbone_to_15008_with_the_target_port_as_authority()
    {
        var endpoint = Endpoint("echo-1", "10.0.0.3");
        var route = _planner.Plan(_client, At(Vip, 80), ServiceRecord(Echo(), endpoint));

        Assert.Equal(RouteKind.Hbone, route.Kind);
        Assert.Equal(At("10.0.0.3", 15008), route.HboneEndpoint);
        Assert.Equal(At("10.0.0.3", 8080), route.Target);
        Assert.Same(endpoint, route.Workload);
        Assert.Equal("demo/echo.demo.svc.cluster.local", route.Service!.Key);
    }

    [Fact]
    public void An_hbone_workload_addressed_directly_keeps_the_original_port()
    {
        var route = _planner.Plan(_client, At("10.0.0.3", 9000), WorkloadRecord(Pod("server", "10.0.0.3")));
        Assert.Equal((RouteKind.Hbone, At("10.0.0.3", 9000), At("10.0.0.3", 15008)), (route.Kind, route.Target, route.HboneEndpoint));
    }

    [Fact]
    public void The_hbone_port_is_configurable()
    {
        var route = new OutboundPlanner("node-a", hbonePort: 16008).Plan(_client, At("10.0.0.3", 9000), WorkloadRecord(Pod("server", "10.0.0.3")));
        Assert.Equal(At("10.0.0.3", 16008), route.HboneEndpoint);
    }

    [Fact]
    public void A_workload_outside_the_mesh_gets_plain_tcp_to_the_target_port()
    {
        var endpoint = Endpoint("legacy", "10.0.0.4", TunnelProtocol.None);
        var route = _planner.Plan(_client, At(Vip, 80), ServiceRecord(Echo(), endpoint));
        Assert.Equal((RouteKind.PlainTcp, At("10.0.0.4", 8080)), (route.Kind, route.Target));
        Assert.Null(route.HboneEndpoint);
    }

    [Fact]
    public void Without_a_source_identity_an_hbone_destination_gets_plain_tcp_and_says_why()
    {
        var unknown = _planner.Plan(null, At("10.0.0.3", 9000), WorkloadRecord(Pod("server", "10.0.0.3")));
        Assert.Equal(RouteKind.PlainTcp, unknown.Kind);
        Assert.Contains("source workload unknown", unknown.Note);

        var notInMesh = _planner.Plan(_client with { TunnelProtocol = TunnelProtocol.None }, At("10.0.0.3", 9000), WorkloadRecord(Pod("server", "10.0.0.3")));
        Assert.Equal(RouteKind.PlainTcp, notInMesh.Kind);
        Assert.Contains("not in the mesh", notInMesh.Note);
    }

    [Fact]
    public void An_unknown_address_passes_through()
    {
        var route = _planner.Plan(_client, At("93.184.216.34", 443), AddressRecord.Unknown("93.184.216.34"));
        Assert.Equal((RouteKind.Passthrough, At("93.184.216.34", 443)), (route.Kind, route.Target));
        Assert.Equal("passthrough 93.184.216.34:443", route.Describe());
    }

    [Fact]
    public void A_service_without_healthy_endpoints_has_no_route()
    {
        var route = _planner.Plan(_client, At(Vip, 80),
            ServiceRecord(Echo(), Endpoint("sick", "10.0.0.3", status: WorkloadStatus.Unhealthy)));
        Assert.Equal(RouteKind.NoEndpoint, route.Kind);
        Assert.Null(route.Target);
        Assert.Contains("no healthy endpoint", route.Describe());
    }

    [Fact]
    public void A_service_port_no_endpoint_serves_has_no_route()
    {
        var route = _planner.Plan(_client, At(Vip, 81), ServiceRecord(Echo(), Endpoint("echo-1", "10.0.0.3")));
        Assert.Equal(RouteKind.NoEndpoint, route.Kind);
    }

    [Fact]
    public void A_waypoint_service_without_endpoints_falls_back_to_no_route()
    {
        var route = _planner.Plan(_client, At(Vip, 80), ServiceRecord(Echo(waypoint: Waypoint)));
        Assert.Equal(RouteKind.Waypoint, route.Kind);
        Assert.Equal(RouteKind.NoEndpoint, route.Fallback!.Kind);
    }

    [Fact]
    public void Routes_describe_themselves_for_the_log()
    {
        var route = _planner.Plan(_client, At(Vip, 80), ServiceRecord(Echo(), Endpoint("echo-1", "10.0.0.3")));
        Assert.Equal("hbone service demo/echo.demo.svc.cluster.local → demo/echo-1 10.0.0.3:8080 via 10.0.0.3:15008", route.Describe());
    }
}
