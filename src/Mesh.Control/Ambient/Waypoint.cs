using System.Text.Json;
using Mesh.Control.Config.Crds;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>What a waypoint may carry (label <c>istio.io/waypoint-for</c> on the Gateway; default service).</summary>
internal enum WaypointTraffic { Service, Workload, All, None }

/// <summary>
/// A Gateway of class istio-waypoint. <c>AllowedFrom</c> comes from the HBONE listener's allowedRoutes
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

    public static Waypoint? FromGateway(Gateway gateway)
    {
        if (gateway.Spec?.GatewayClassName != AmbientLabels.WaypointGatewayClass) return null;
        var traffic = AmbientLabels.Get(gateway.Metadata.Labels, AmbientLabels.WaypointFor) switch
        {
            null or "service" => WaypointTraffic.Service,
            "workload" => WaypointTraffic.Workload,
            "all" => WaypointTraffic.All,
            _ => WaypointTraffic.None, // "none" and unknown values carry nothing, as in Istio
        };
        var hbone = gateway.Spec.Listeners?.FirstOrDefault(l => l.Protocol == "HBONE" && l.Port == HbonePort);
        var (from, labels) = ReadAllowedRoutes(hbone?.AllowedRoutes);
        return new Waypoint(gateway.Metadata.NamespaceProperty, gateway.Metadata.Name, traffic, from, labels);
    }

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
