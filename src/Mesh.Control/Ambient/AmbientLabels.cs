namespace Mesh.Control.Ambient;

/// <summary>The Kubernetes and Istio label/annotation names the ambient computation reads.</summary>
internal static class AmbientLabels
{
    public const string DataplaneMode = "istio.io/dataplane-mode";
    public const string DataplaneModeAmbient = "ambient";
    public const string DataplaneModeNone = "none";

    public const string UseWaypoint = "istio.io/use-waypoint";
    public const string UseWaypointNamespace = "istio.io/use-waypoint-namespace";
    public const string WaypointFor = "istio.io/waypoint-for";
    public const string WaypointGatewayClass = "istio-waypoint";
    /// <summary>The control-plane revision an object belongs to ("default" when unset).</summary>
    public const string Revision = "istio.io/rev";
    /// <summary>Set by the Gateway controller on a gateway's own pods; a waypoint never routes through itself.</summary>
    public const string GatewayName = "gateway.networking.k8s.io/gateway-name";

    public const string CanonicalName = "service.istio.io/canonical-name";
    public const string CanonicalRevision = "service.istio.io/canonical-revision";
    public const string AppKubernetesName = "app.kubernetes.io/name";
    public const string AppKubernetesVersion = "app.kubernetes.io/version";
    public const string App = "app";
    public const string Version = "version";

    public const string PodTemplateHash = "pod-template-hash";

    public const string Region = "topology.kubernetes.io/region";
    public const string Zone = "topology.kubernetes.io/zone";
    public const string Subzone = "topology.istio.io/subzone";

    public const string DryRun = "istio.io/dry-run";
    public const string TrafficDistribution = "networking.istio.io/traffic-distribution";

    public static string? Get(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;
}
