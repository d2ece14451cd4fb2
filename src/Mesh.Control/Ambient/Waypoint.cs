using System.Text.Json;
using Mesh.Control.Config.Crds;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>What a waypoint may carry (label <c>istio.io/waypoint-for</c> on the Gateway; default service).</summary>
internal enum WaypointTraffic { Service, Workload, All, None }

/// <summary>
/// A Gateway of class istio-waypoint with its HBONE listener. <c>AllowedFrom</c> comes from the HBONE listener's allowedRoutes
/// (Gateway API default "Same": only objects in the waypoint's own namespace may bind to it).
/// </summary>
internal sealed record Waypoint(string Namespace, string Name, WaypointTraffic Traffic, string AllowedFrom,
    IReadOnlyDictionary<string, string>? AllowedNamespaceLabels)
{
    public const int HbonePort = 15008;

    public string Key => $"{Namespace}/{Name}";

    public bool Serves(WaypointTraffic wanted) => Traffic == WaypointTraffic.All || Traffic == wanted;

    public WaypointRef ToRef(string domainSuffix) =>
        new(Namespace, Name, $"{Name}.{Namespace}.svc.{domainSuffix}", HbonePort);

    /// <summary>
    /// The waypoint a Gateway declares, or null when it is not one. A waypoint listens on 15008 protocol HBONE, and
    /// nothing else: every other listener is refused (listener condition Accepted=False, reason UnsupportedProtocol,
    /// reported as a warning), and a Gateway without that listener is not accepted at all. <c>istio.io/waypoint-for</c>
    /// is read from the Gateway, else from its GatewayClass (<paramref name="classLabels"/>), else "service".
    /// </summary>
    public static Waypoint? FromGateway(Gateway gateway, IDictionary<string, string>? classLabels, Warnings warnings)
    {
        if (gateway.Spec?.GatewayClassName != AmbientLabels.WaypointGatewayClass) return null;
        var subject = $"gateway {gateway.Metadata.NamespaceProperty}/{gateway.Metadata.Name}";
        var listeners = gateway.Spec.Listeners ?? [];
        foreach (var other in listeners.Where(l => !IsHbone(l)))
        {
            warnings.Add($"{subject} listener '{other.Name}' (protocol {other.Protocol ?? "(none)"}, port {other.Port}): Accepted=False, " +
                         $"reason UnsupportedProtocol: a waypoint listens only on port {HbonePort} with protocol HBONE");
        }
        var hbone = listeners.FirstOrDefault(IsHbone);
        if (hbone is null)
        {
            warnings.Add($"{subject}: Accepted=False, reason ListenersNotValid: an {AmbientLabels.WaypointGatewayClass} Gateway needs a " +
                         $"listener on port {HbonePort} with protocol HBONE; it is not a waypoint");
            return null;
        }
        var waypointFor = AmbientLabels.Get(gateway.Metadata.Labels, AmbientLabels.WaypointFor)
                          ?? AmbientLabels.Get(classLabels, AmbientLabels.WaypointFor);
        var traffic = waypointFor switch
        {
            null or "service" => WaypointTraffic.Service,
            "workload" => WaypointTraffic.Workload,
            "all" => WaypointTraffic.All,
            "none" => WaypointTraffic.None,
            _ => Unknown(waypointFor),
        };
        var (from, labels) = ReadAllowedRoutes(hbone.AllowedRoutes);
        return new Waypoint(gateway.Metadata.NamespaceProperty, gateway.Metadata.Name, traffic, from, labels);

        WaypointTraffic Unknown(string value)
        {
            // Carries nothing, as in Istio; said so, since a typo would otherwise silently bypass the waypoint.
            warnings.Add($"{subject}: {AmbientLabels.WaypointFor}={value} is not one of service, workload, all, none; it carries no traffic");
            return WaypointTraffic.None;
        }
    }

    public static bool IsHbone(GatewayListener listener) => listener.Protocol == "HBONE" && listener.Port == HbonePort;

    /// <summary>allowedRoutes is kept untyped in our CRD model; read namespaces.from and selector.matchLabels.</summary>
    private static (string From, IReadOnlyDictionary<string, string>? Labels) ReadAllowedRoutes(object? allowedRoutes)
    {
        if (allowedRoutes is null) return ("Same", null);
        var json = allowedRoutes as JsonElement? ?? JsonSerializer.SerializeToElement(allowedRoutes);
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("namespaces", out var namespaces)
            || namespaces.ValueKind != JsonValueKind.Object)
            return ("Same", null);
        var from = namespaces.TryGetProperty("from", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "Same";
        Dictionary<string, string>? labels = null;
        if (namespaces.TryGetProperty("selector", out var selector) && selector.ValueKind == JsonValueKind.Object
            && selector.TryGetProperty("matchLabels", out var matchLabels) && matchLabels.ValueKind == JsonValueKind.Object)
        {
            labels = matchLabels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);
        }
        return (from, labels);
    }
}
