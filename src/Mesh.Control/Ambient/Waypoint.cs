using System.Text.Json;
using Mesh.Control.Config;
using Mesh.Control.Config.Crds;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>What a waypoint may carry (label <c>istio.io/waypoint-for</c> on the Gateway; default service).</summary>
internal enum WaypointTraffic { Service, Workload, All, None }

/// <summary>
/// What an istio-waypoint Gateway declares: the waypoint (null when the Gateway is not accepted), the traffic it
/// carries, the listeners refused, and a line for each thing that cannot be honoured.
/// </summary>
internal sealed record WaypointDeclaration(Waypoint? Waypoint, WaypointTraffic Traffic, IReadOnlyList<GatewayListener> Refused,
    IReadOnlyList<string> Problems);

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

    /// <summary>The waypoint a Gateway declares, or null; what cannot be honoured is added to <paramref name="warnings"/>.</summary>
    public static Waypoint? FromGateway(Gateway gateway, IDictionary<string, string>? classLabels, Warnings warnings)
    {
        if (Declare(gateway, classLabels) is not { } declaration) return null;
        foreach (var problem in declaration.Problems) warnings.Add(problem);
        return declaration.Waypoint;
    }

    /// <summary>
    /// Reads an istio-waypoint Gateway (null for any other class). A waypoint listens on 15008 protocol HBONE, and
    /// nothing else: every other listener is refused (listener condition Accepted=False, reason UnsupportedProtocol),
    /// and a Gateway without that listener is not accepted at all. <c>istio.io/waypoint-for</c> is read from the
    /// Gateway, else from its GatewayClass (<paramref name="classLabels"/>), else "service"; an unknown value carries
    /// nothing, as in Istio, and is reported, since a typo would otherwise silently bypass the waypoint.
    /// </summary>
    public static WaypointDeclaration? Declare(Gateway gateway, IDictionary<string, string>? classLabels)
    {
        if (gateway.Spec?.GatewayClassName != AmbientLabels.WaypointGatewayClass) return null;
        var subject = $"gateway {gateway.Metadata.NamespaceProperty}/{gateway.Metadata.Name}";
        var listeners = gateway.Spec.Listeners ?? [];
        var refused = listeners.Where(l => !IsHbone(l)).ToList();
        var problems = refused.Select(l => $"{subject} listener '{l.Name}' (protocol {l.Protocol ?? "(none)"}, port {l.Port}): Accepted=False, " +
                                           $"reason UnsupportedProtocol: a waypoint listens only on port {HbonePort} with protocol HBONE").ToList();
        var waypointFor = AmbientLabels.Get(gateway.Metadata.Labels, AmbientLabels.WaypointFor)
                          ?? AmbientLabels.Get(classLabels, AmbientLabels.WaypointFor);
        WaypointTraffic? known = waypointFor switch
        {
            null or "service" => WaypointTraffic.Service,
            "workload" => WaypointTraffic.Workload,
            "all" => WaypointTraffic.All,
            "none" => WaypointTraffic.None,
            _ => null,
        };
        if (known is null)
            problems.Add($"{subject}: {AmbientLabels.WaypointFor}={waypointFor} is not one of service, workload, all, none; it carries no traffic");
        var traffic = known ?? WaypointTraffic.None;

        var hbone = listeners.FirstOrDefault(IsHbone);
        if (hbone is null)
        {
            problems.Add($"{subject}: Accepted=False, reason ListenersNotValid: an {AmbientLabels.WaypointGatewayClass} Gateway needs a " +
                         $"listener on port {HbonePort} with protocol HBONE; it is not a waypoint");
            return new WaypointDeclaration(null, traffic, refused, problems);
        }
        var (from, labels) = ReadAllowedRoutes(hbone.AllowedRoutes);
        return new WaypointDeclaration(new Waypoint(gateway.Metadata.NamespaceProperty, gateway.Metadata.Name, traffic, from, labels),
            traffic, refused, problems);
    }

    /// <summary>The labels of each GatewayClass in the manifests, by class name (a Gateway's waypoint-for default).</summary>
    public static IReadOnlyDictionary<string, IDictionary<string, string>?> ClassLabels(ManifestSet manifests) =>
        manifests.GatewayClasses.ToDictionary(c => c.Metadata.Name, c => (IDictionary<string, string>?)c.Metadata.Labels, StringComparer.Ordinal);

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
