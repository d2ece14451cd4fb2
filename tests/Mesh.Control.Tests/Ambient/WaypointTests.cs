using Mesh.Control.Ambient;
using Mesh.Control.Config.Crds;
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

    private static Gateway WithListeners(Gateway gateway, params (string Name, string Protocol, int Port)[] listeners)
    {
        gateway.Spec!.Listeners = [.. listeners.Select(l => new GatewayListener { Name = l.Name, Protocol = l.Protocol, Port = l.Port })];
        return gateway;
    }

    private static MeshState StateWith(Gateway gateway, params GatewayClass[] classes) =>
        Compute(Set([AmbientNamespace("a", [(Use, gateway.Metadata.Name)])], [Pod("a", "p")], [Service("a", "s", null, Port(80))],
            gateways: [gateway]) with { GatewayClasses = [.. classes] });

    [Fact]
    public void A_gateway_without_an_hbone_listener_on_15008_is_not_a_waypoint_and_says_why()
    {
        var state = StateWith(WithListeners(Waypoint("a", "wp", "all"), ("http", "HTTP", 80), ("hbone-elsewhere", "HBONE", 15009)));
        Assert.Null(state.Service("a", "s").Waypoint);
        Assert.Null(state.Workload("a", "p").Waypoint);
        Assert.Contains(state.Warnings, w => w.Contains("gateway a/wp: Accepted=False, reason ListenersNotValid"));
        Assert.Contains(state.Warnings, w => w.Contains("gateway a/wp listener 'http' (protocol HTTP, port 80): Accepted=False, reason UnsupportedProtocol"));
        Assert.Contains(state.Warnings, w => w.Contains("listener 'hbone-elsewhere' (protocol HBONE, port 15009)"));
        Assert.Contains(state.Warnings, w => w.Contains("service a/s") && w.Contains("not an accepted istio-waypoint Gateway"));
    }

    [Fact]
    public void An_extra_listener_is_refused_but_the_hbone_listener_still_makes_a_waypoint()
    {
        var state = StateWith(WithListeners(Waypoint("a", "wp", "all"), ("mesh", "HBONE", 15008), ("http", "HTTP", 8080)));
        Assert.Equal("wp", state.Service("a", "s").Waypoint?.Name);
        Assert.Contains(state.Warnings, w => w.Contains("listener 'http' (protocol HTTP, port 8080): Accepted=False, reason UnsupportedProtocol"));
        Assert.DoesNotContain(state.Warnings, w => w.Contains("listener 'mesh'"));
    }

    [Fact]
    public void Waypoint_for_on_the_gateway_class_is_the_default_and_the_gateways_own_label_wins()
    {
        var workloadClass = new GatewayClass
        {
            Metadata = new k8s.Models.V1ObjectMeta
            {
                Name = AmbientLabels.WaypointGatewayClass, Labels = new Dictionary<string, string> { [AmbientLabels.WaypointFor] = "workload" },
            },
        };
        var byClass = StateWith(Waypoint("a", "wp"), workloadClass);
        Assert.Equal("wp", byClass.Workload("a", "p").Waypoint?.Name);
        Assert.Null(byClass.Service("a", "s").Waypoint);

        var own = StateWith(Waypoint("a", "wp", "service"), workloadClass);
        Assert.Null(own.Workload("a", "p").Waypoint);
        Assert.Equal("wp", own.Service("a", "s").Waypoint?.Name);
    }

    [Fact]
    public void An_unknown_waypoint_for_value_carries_nothing_and_is_reported()
    {
        var state = StateWith(Waypoint("a", "wp", "services"));
        Assert.Null(state.Service("a", "s").Waypoint);
        Assert.Null(state.Workload("a", "p").Waypoint);
        Assert.Contains(state.Warnings, w => w.Contains("gateway a/wp: istio.io/waypoint-for=services is not one of service, workload, all, none"));
    }
}
