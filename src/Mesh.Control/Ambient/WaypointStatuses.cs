using Mesh.Control.Config;
using Mesh.Protocol.Admin;

namespace Mesh.Control.Ambient;

/// <summary>
/// The status of every istio-waypoint Gateway, as its Gateway conditions would read (what <c>meshctl waypoint
/// list|status</c> shows). Accepted follows the listener rules of <see cref="Waypoint.FromGateway"/>. Programmed is
/// True only when a waypoint pod is ready; this build computes and binds waypoints but does not run waypoint pods
/// yet, so an accepted waypoint is Programmed=False, reason Pending — the truth, not a placeholder.
/// </summary>
internal static class WaypointStatuses
{
    public static IReadOnlyList<WaypointView> Compute(ManifestSet set, string domainSuffix)
    {
        var classes = Waypoint.ClassLabels(set);
        var views = new List<WaypointView>();
        foreach (var gateway in set.Gateways)
        {
            var classLabels = gateway.Spec?.GatewayClassName is { } className ? classes.GetValueOrDefault(className) : null;
            if (Waypoint.Declare(gateway, classLabels) is not { } declaration) continue;
            var refused = declaration.Refused.Select(l => $"'{l.Name}'").ToList();
            var accepted = declaration.Waypoint is null
                ? new ConditionView("Accepted", "False", "ListenersNotValid", $"no listener on port {Waypoint.HbonePort} with protocol HBONE")
                : refused.Count > 0
                    ? new ConditionView("Accepted", "True", "ListenersNotValid",
                        $"listener {string.Join(", ", refused)} refused (UnsupportedProtocol): a waypoint listens only on {Waypoint.HbonePort}/HBONE")
                    : new ConditionView("Accepted", "True", "Accepted", "Resource accepted");
            var programmed = declaration.Waypoint is null
                ? new ConditionView("Programmed", "False", "Invalid", "the Gateway is not accepted")
                : new ConditionView("Programmed", "False", "Pending", "no waypoint pod is ready: waypoints are bound but not deployed by this build");
            views.Add(new WaypointView(gateway.Metadata.NamespaceProperty, gateway.Metadata.Name,
                AmbientLabels.Get(gateway.Metadata.Labels, AmbientLabels.Revision) ?? "default", declaration.Traffic.ToString().ToLowerInvariant(),
                [accepted, programmed], declaration.Waypoint is null ? [] : [declaration.Waypoint.ToRef(domainSuffix).Hostname]));
        }
        return views;
    }
}
