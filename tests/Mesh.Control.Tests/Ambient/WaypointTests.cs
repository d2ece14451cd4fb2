using Mesh.Control.Ambient;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class WaypointTests
{
    private const string Use = AmbientLabels.UseWaypoint;
    private static readonly WaypointRef NsWaypoint = new("a", "ns-wp", "ns-wp.a.svc.cluster.local", 15008);
    private static readonly WaypointRef OwnWaypoint = new("a", "own-wp", "own-wp.a.svc.cluster.local", 15008);

    private static MeshState State(k8s.Models.V1Pod? pod = null, k8s.Models.V1Service? svc = null, string nsWaypointFor = "all",
        string ownWaypointFor = "all", params (string, string)[] nsLabels) =>
        Compute(Set(
            [AmbientNamespace("a", [(Use, "ns-wp"), .. nsLabels])],
            pod is null ? [] : [pod],
            svc is null ? [] : [svc],
            gateways: [Waypoint("a", "ns-wp", nsWaypointFor), Waypoint("a", "own-wp", ownWaypointFor)]));

    [Fact]
    public void Namespace_label_binds_workloads_and_services()
    {
        var state = State(Pod("a", "p"), Service("a", "s", null, Port(80)));
        Assert.Equal(NsWaypoint, state.Workload("a", "p").Waypoint);
        Assert.Equal(NsWaypoint, state.Service("a", "s").Waypoint);
    }

    [Fact]
    public void Pod_label_wins_over_namespace()
    {
        Assert.Equal(OwnWaypoint, State(Pod("a", "p", (Use, "own-wp"))).Workload("a", "p").Waypoint);
    }

    [Fact]
    public void Service_label_wins_over_namespace()
    {
        var svc = Service("a", "s", null, Port(80));
        svc.Metadata.Labels[Use] = "own-wp";
        Assert.Equal(OwnWaypoint, State(svc: svc).Service("a", "s").Waypoint);
    }

    [Fact]
    public void None_on_pod_or_service_opts_out()
    {
        var svc = Service("a", "s", null, Port(80));
        svc.Metadata.Labels[Use] = "none";
        var state = State(Pod("a", "p", (Use, "none")), svc);
        Assert.Null(state.Workload("a", "p").Waypoint);
        Assert.Null(state.Service("a", "s").Waypoint);
        Assert.Empty(state.Warnings);
    }

    [Fact]
    public void Missing_gateway_gives_no_waypoint_and_a_warning_naming_both()
    {
        var state = State(Pod("a", "p", (Use, "nope")));
        Assert.Null(state.Workload("a", "p").Waypoint);
        Assert.Contains(state.Warnings, w => w.Contains("pod a/p") && w.Contains("a/nope"));
    }

    [Fact]
    public void Default_waypoint_for_is_service_only()
    {
        var state = State(Pod("a", "p"), Service("a", "s", null, Port(80)), nsWaypointFor: null!);
        Assert.Null(state.Workload("a", "p").Waypoint);
        Assert.Equal(NsWaypoint, state.Service("a", "s").Waypoint);
        Assert.Contains(state.Warnings, w => w.Contains("pod a/p") && w.Contains("a/ns-wp") && w.Contains("workload traffic"));
    }

    [Fact]
    public void Workload_waypoint_does_not_serve_services()
    {
        var state = State(Pod("a", "p"), Service("a", "s", null, Port(80)), nsWaypointFor: "workload");
        Assert.Equal(NsWaypoint, state.Workload("a", "p").Waypoint);
        Assert.Null(state.Service("a", "s").Waypoint);
        Assert.Contains(state.Warnings, w => w.Contains("service a/s") && w.Contains("service traffic"));
    }

    [Fact]
    public void Waypoint_for_none_serves_nothing()
    {
        var state = State(Pod("a", "p"), Service("a", "s", null, Port(80)), nsWaypointFor: "none");
        Assert.Null(state.Workload("a", "p").Waypoint);
        Assert.Null(state.Service("a", "s").Waypoint);
    }

    [Fact]
    public void Explicit_unusable_binding_does_not_fall_back_to_namespace()
    {
        var state = State(Pod("a", "p", (Use, "own-wp")), ownWaypointFor: "service");
        Assert.Null(state.Workload("a", "p").Waypoint);
    }

    [Fact]
    public void Waypoints_only_apply_to_enrolled_workloads()
    {
        var state = State(Pod("a", "p", (AmbientLabels.DataplaneMode, "none")));
        Assert.Null(state.Workload("a", "p").Waypoint);
    }

    [Fact]
    public void Cross_namespace_waypoint_needs_allowed_routes_from_all()
    {
        var pod = Pod("a", "p", (Use, "shared"), (AmbientLabels.UseWaypointNamespace, "infra"));
        var denied = Compute(Set([AmbientNamespace("a")], [pod], gateways: [Waypoint("infra", "shared", "all")]));
        Assert.Null(denied.Workload("a", "p").Waypoint);
        Assert.Contains(denied.Warnings, w => w.Contains("allowedRoutes"));

        var allowed = Compute(Set([AmbientNamespace("a")], [pod], gateways: [Waypoint("infra", "shared", "all", allowedFrom: "All")]));
        Assert.Equal(new WaypointRef("infra", "shared", "shared.infra.svc.cluster.local", 15008), allowed.Workload("a", "p").Waypoint);
    }

    [Fact]
    public void Gateways_of_other_classes_are_not_waypoints()
    {
        var gateway = Waypoint("a", "ns-wp", "all");
        gateway.Spec!.GatewayClassName = "istio";
        var state = Compute(Set([AmbientNamespace("a", (Use, "ns-wp"))], [Pod("a", "p")], gateways: [gateway]));
        Assert.Null(state.Workload("a", "p").Waypoint);
        Assert.NotEmpty(state.Warnings);
    }

    [Fact]
    public void Waypoint_own_pods_are_not_sent_through_a_waypoint()
    {
        var state = State(Pod("a", "ns-wp-123", (AmbientLabels.GatewayName, "ns-wp")));
        Assert.Null(state.Workload("a", "ns-wp-123").Waypoint);
    }
}
