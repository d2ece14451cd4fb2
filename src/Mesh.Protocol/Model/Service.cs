namespace Mesh.Protocol.Model;

/// <summary>A service port: clients dial <c>Port</c>; endpoints receive <c>TargetPort</c> (0 = named, resolved per workload).</summary>
public sealed record ServicePort(int Port, int TargetPort, string Name, string AppProtocol);

/// <summary>Istio LoadBalancing.Mode.</summary>
public enum LoadBalancingMode { Unspecified = 0, Strict = 1, Failover = 2 }

/// <summary>Istio LoadBalancing.Scope: what "close" means when preferring endpoints.</summary>
public enum LocalityScope { Region = 1, Zone = 2, Subzone = 3, Node = 4, Cluster = 5, Network = 6 }

/// <summary>Locality preference for picking endpoints (from Service trafficDistribution / annotations).</summary>
public sealed record LoadBalancing(ValueList<LocalityScope> RoutingPreference, LoadBalancingMode Mode);

/// <summary>A service: a stable name and virtual IPs in front of the workloads its selector picks.</summary>
public sealed record Service(
    string Name,
    string Namespace,
    string Hostname,
    ValueList<string> Addresses,
    ValueList<ServicePort> Ports,
    WaypointRef? Waypoint,
    LoadBalancing? LoadBalancing)
{
    /// <summary>Istio's key for a service: "namespace/hostname".</summary>
    public string Key => $"{Namespace}/{Hostname}";
}
