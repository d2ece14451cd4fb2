using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;

namespace Mesh.Node.Telemetry.Metrics;

/// <summary>The label-relevant fields of one workload (or identity): references to strings already in mesh state.</summary>
internal readonly record struct PeerLabels(
    string? Workload, string? CanonicalService, string? CanonicalRevision, string? Namespace, string? Cluster,
    string? TrustDomain, string? IdentityNamespace, string? ServiceAccount)
{
    public static PeerLabels Of(Workload? w, SpiffeId? identity) => new(
        w?.WorkloadName, w?.CanonicalName, w?.CanonicalRevision, w?.Namespace, w?.ClusterId,
        identity?.TrustDomain ?? w?.TrustDomain, identity?.Namespace ?? w?.Namespace, identity?.ServiceAccount ?? w?.ServiceAccount);

    public string? Principal => string.IsNullOrEmpty(TrustDomain) || string.IsNullOrEmpty(IdentityNamespace) || string.IsNullOrEmpty(ServiceAccount)
        ? null
        : $"{SpiffeId.Scheme}{TrustDomain}/ns/{IdentityNamespace}/sa/{ServiceAccount}";
}

/// <summary>
/// The label set of Istio's <c>istio_tcp_*</c> metrics for one connection, as a value key: connections between the same
/// workloads, service, policy and flags share one series. It holds references to strings already in mesh state, so
/// building and hashing it allocates nothing; label strings are produced once, when a new series is created.
/// Values follow Istio's ztunnel (<c>src/proxy/metrics.rs</c>): <c>*_app</c>/<c>*_version</c> are the canonical
/// name/revision, <c>*_workload</c> is the workload (e.g. deployment) name, and a missing value renders <c>unknown</c>.
/// </summary>
internal readonly record struct TrafficLabels(
    ConnectionDirection Direction,
    PeerLabels Source,
    PeerLabels Destination,
    string? ServiceHostname,
    string? ServiceNamespace,
    string? ServiceName,
    ConnectionSecurityPolicy Policy,
    ResponseFlags Flags)
{
    /// <summary>Label names in exposition order (Istio's CommonTrafficLabels order).</summary>
    public static readonly string[] Names =
    [
        "reporter",
        "source_workload", "source_canonical_service", "source_canonical_revision", "source_workload_namespace",
        "source_principal", "source_app", "source_version", "source_cluster",
        "destination_service", "destination_service_namespace", "destination_service_name",
        "destination_workload", "destination_canonical_service", "destination_canonical_revision",
        "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
        "destination_cluster",
        "request_protocol", "response_flags", "connection_security_policy",
    ];

    public static TrafficLabels Of(ConnectionRecord c, ResponseFlags flags) => new(
        c.Direction,
        PeerLabels.Of(c.SourceWorkload, c.SourceIdentity),
        PeerLabels.Of(c.DestinationWorkload, c.DestinationIdentity),
        c.DestinationService?.Hostname, c.DestinationService?.Namespace, c.DestinationService?.Name,
        c.SecurityPolicy, flags);

    /// <summary>The label values in <see cref="Names"/> order.</summary>
    public string[] Values()
    {
        static string U(string? v) => TelemetryValues.OrUnknown(v);
        return
        [
            TelemetryValues.Reporter(Direction),
            U(Source.Workload), U(Source.CanonicalService), U(Source.CanonicalRevision), U(Source.Namespace),
            U(Source.Principal), U(Source.CanonicalService), U(Source.CanonicalRevision), U(Source.Cluster),
            U(ServiceHostname), U(ServiceNamespace), U(ServiceName),
            U(Destination.Workload), U(Destination.CanonicalService), U(Destination.CanonicalRevision),
            U(Destination.Namespace), U(Destination.Principal), U(Destination.CanonicalService),
            U(Destination.CanonicalRevision), U(Destination.Cluster),
            "tcp", TelemetryValues.Flags(Flags), TelemetryValues.SecurityPolicy(Policy),
        ];
    }
}
