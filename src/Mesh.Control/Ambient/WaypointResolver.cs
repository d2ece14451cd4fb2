using k8s.Models;
using Mesh.Control.Config;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>
/// Binds workloads and services to waypoints (Istio's fetchWaypointForTarget): the object's own
/// <c>istio.io/use-waypoint</c> label decides when present (<c>none</c> opts out), else its namespace's label.
/// An explicit binding that cannot be honoured (missing Gateway, wrong waypoint-for, namespace not allowed)
/// yields no waypoint and a warning; it does not fall back to the namespace's waypoint, as in Istio.
/// Workloads read pod then namespace; services read service then namespace.
/// </summary>
internal sealed class WaypointResolver
{
    private readonly Dictionary<string, Waypoint> _waypoints = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, V1Namespace> _namespaces;
    private readonly AmbientOptions _options;
    private readonly Warnings _warnings;

    public WaypointResolver(ManifestSet manifests, IReadOnlyDictionary<string, V1Namespace> namespaces, AmbientOptions options, Warnings warnings)
    {
        _namespaces = namespaces;
        _options = options;
        _warnings = warnings;
        var classes = Waypoint.ClassLabels(manifests);
        foreach (var gateway in manifests.Gateways)
        {
            var classLabels = gateway.Spec?.GatewayClassName is { } className ? classes.GetValueOrDefault(className) : null;
            if (Waypoint.FromGateway(gateway, classLabels, warnings) is { } waypoint) _waypoints[waypoint.Key] = waypoint;
        }
    }

    public WaypointRef? ForWorkload(V1Pod pod)
    {
        // A waypoint's own pods must not be sent through a waypoint (that would loop).
        if (AmbientLabels.Get(pod.Metadata.Labels, AmbientLabels.GatewayName) is { } gw
            && _waypoints.ContainsKey($"{pod.Metadata.NamespaceProperty}/{gw}"))
            return null;
        return Resolve(pod.Metadata, "pod", WaypointTraffic.Workload);
    }

    public WaypointRef? ForService(V1Service service) => Resolve(service.Metadata, "service", WaypointTraffic.Service);

    private WaypointRef? Resolve(V1ObjectMeta meta, string kind, WaypointTraffic wanted)
    {
        var ns = meta.NamespaceProperty;
        var subject = $"{kind} {ns}/{meta.Name}";
        var binding = Binding(meta.Labels, ns);
        if (binding is null && _namespaces.TryGetValue(ns, out var namespaceObject))
        {
            binding = Binding(namespaceObject.Metadata?.Labels, ns);
            subject += $" (via namespace {ns})";
        }
        if (binding is not { Name: { } name, Namespace: var waypointNs }) return null; // unbound, or "none"

        var key = $"{waypointNs}/{name}";
        if (!_waypoints.TryGetValue(key, out var waypoint))
        {
            _warnings.Add($"{subject} uses waypoint {key}, which is not an accepted istio-waypoint Gateway; no waypoint applied");
            return null;
        }
        if (!waypoint.Serves(wanted))
        {
            _warnings.Add($"{subject} uses waypoint {key}, but it has {AmbientLabels.WaypointFor}={waypoint.Traffic.ToString().ToLowerInvariant()} " +
                          $"and does not carry {wanted.ToString().ToLowerInvariant()} traffic; no waypoint applied");
            return null;
        }
        if (!AllowsNamespace(waypoint, ns))
        {
            _warnings.Add($"{subject} uses waypoint {key}, whose HBONE listener does not allow namespace {ns} (allowedRoutes); no waypoint applied");
            return null;
        }
        return waypoint.ToRef(_options.DomainSuffix);
    }

    /// <summary>null = no label; Name null = explicit opt-out ("none").</summary>
    private static (string? Name, string Namespace)? Binding(IDictionary<string, string>? labels, string defaultNamespace)
    {
        var value = AmbientLabels.Get(labels, AmbientLabels.UseWaypoint);
        if (value is null) return null;
        if (value == "none") return (null, defaultNamespace);
        return (value, AmbientLabels.Get(labels, AmbientLabels.UseWaypointNamespace) ?? defaultNamespace);
    }

    private bool AllowsNamespace(Waypoint waypoint, string ns) => waypoint.AllowedFrom switch
    {
        "All" => true,
        "Selector" => _namespaces.TryGetValue(ns, out var n)
                      && waypoint.AllowedNamespaceLabels is { } wanted
                      && LabelSelector.Matches(wanted.ToDictionary(), n.Metadata?.Labels),
        _ => waypoint.Namespace == ns,
    };
}
