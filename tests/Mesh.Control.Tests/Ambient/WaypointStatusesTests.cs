using Mesh.Control.Ambient;
using Mesh.Control.Config.Crds;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class WaypointStatusesTests
{
    private static Gateway WithListeners(Gateway gateway, params (string Name, string Protocol, int Port)[] listeners)
    {
        gateway.Spec!.Listeners = [.. listeners.Select(l => new GatewayListener { Name = l.Name, Protocol = l.Protocol, Port = l.Port })];
        return gateway;
    }

    [Fact]
    public void Each_waypoint_gateway_gets_accepted_programmed_traffic_type_and_address()
    {
        var plainGateway = Waypoint("a", "ingress");
        plainGateway.Spec!.GatewayClassName = "istio";
        var revisioned = Waypoint("a", "wp", "all");
        revisioned.Metadata.Labels[AmbientLabels.Revision] = "canary";
        var views = WaypointStatuses.Compute(Set(gateways:
        [
            revisioned,
            WithListeners(Waypoint("b", "extra"), ("mesh", "HBONE", 15008), ("http", "HTTP", 80)),
            WithListeners(Waypoint("b", "none-hbone"), ("http", "HTTP", 80)),
            plainGateway,
        ]), "cluster.local");

        Assert.Equal(["a/wp", "b/extra", "b/none-hbone"], views.Select(v => $"{v.Namespace}/{v.Name}"));
        var wp = views[0];
        Assert.Equal(("canary", "all"), (wp.Revision, wp.TrafficType));
        Assert.Equal(["wp.a.svc.cluster.local"], wp.Addresses);
        Assert.Equal(("True", "Accepted"), (wp.Conditions[0].Status, wp.Conditions[0].Reason));
        Assert.Equal(("Programmed", "False", "Pending"), (wp.Conditions[1].Type, wp.Conditions[1].Status, wp.Conditions[1].Reason));

        var extra = views[1];
        Assert.Equal(("default", "service"), (extra.Revision, extra.TrafficType));
        Assert.Equal(("True", "ListenersNotValid"), (extra.Conditions[0].Status, extra.Conditions[0].Reason));
        Assert.Contains("'http'", extra.Conditions[0].Message);

        var refused = views[2];
        Assert.Equal(("False", "ListenersNotValid"), (refused.Conditions[0].Status, refused.Conditions[0].Reason));
        Assert.Equal(("False", "Invalid"), (refused.Conditions[1].Status, refused.Conditions[1].Reason));
        Assert.Empty(refused.Addresses);
    }
}
