namespace Mesh.Protocol.Model;

/// <summary>How traffic to a workload is carried (Istio workload.proto TunnelProtocol).</summary>
public enum TunnelProtocol { None = 0, Hbone = 1 }

/// <summary>Istio workload.proto WorkloadType.</summary>
public enum WorkloadType { Deployment = 0, CronJob = 1, Pod = 2, Job = 3 }

/// <summary>Istio workload.proto WorkloadStatus: only healthy workloads receive service traffic.</summary>
public enum WorkloadStatus { Healthy = 0, Unhealthy = 1 }

/// <summary>Where a workload runs, for locality-aware load balancing.</summary>
public sealed record Locality(string Region, string Zone, string Subzone);

/// <summary>A service port as seen from one workload: <c>ServicePort</c> forwards to <c>TargetPort</c> on this workload.</summary>
public sealed record PortMapping(int ServicePort, int TargetPort);

/// <summary>Membership of a workload in a service, keyed like Istio: "namespace/hostname".</summary>
public sealed record ServiceBinding(string ServiceKey, ValueList<PortMapping> Ports);

/// <summary>
/// A waypoint that L7-processes traffic for a workload or service (Istio GatewayAddress with a
/// namespaced hostname destination).
/// </summary>
public sealed record WaypointRef(string Namespace, string Name, string Hostname, int HboneMtlsPort = 15008);

/// <summary>
/// One schedulable unit of the mesh (a pod). Field meanings follow Istio's ztunnel workload API.
/// <c>Uid</c> is "cluster//Pod/namespace/name", stable for the pod's lifetime.
/// </summary>
public sealed record Workload(
    string Uid,
    string Name,
    string Namespace,
    ValueList<string> Addresses,
    string Hostname,
    string Network,
    TunnelProtocol TunnelProtocol,
    string TrustDomain,
    string ServiceAccount,
    WaypointRef? Waypoint,
    string Node,
    string CanonicalName,
    string CanonicalRevision,
    WorkloadType WorkloadType,
    string WorkloadName,
    string ClusterId,
    ValueList<ServiceBinding> Services,
    WorkloadStatus Status,
    ValueList<string> AuthorizationPolicies,
    Locality? Locality)
{
    /// <summary>The SPIFFE identity this workload's traffic carries.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Identity.SpiffeId Identity => new(TrustDomain, Namespace, ServiceAccount);
}
