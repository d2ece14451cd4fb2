namespace Mesh.Control.Ambient;

/// <summary>
/// Cluster-wide settings for the ambient state computation. Every default mirrors Istio or a kind/kubeadm
/// cluster so that manifests written for Kubernetes produce the state Istio would.
/// </summary>
public sealed record AmbientOptions
{
    /// <summary>SPIFFE trust domain of every workload identity.</summary>
    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>Cluster id, the first segment of workload uids ("Kubernetes" is Istio's default).</summary>
    public string ClusterId { get; init; } = "Kubernetes";

    /// <summary>Network of every workload (empty = the single default network).</summary>
    public string Network { get; init; } = "";

    /// <summary>Istio's root namespace: policies here without a selector are mesh-wide.</summary>
    public string RootNamespace { get; init; } = "istio-system";

    /// <summary>DNS suffix of service hostnames (<c>&lt;svc&gt;.&lt;ns&gt;.svc.&lt;suffix&gt;</c>).</summary>
    public string DomainSuffix { get; init; } = "cluster.local";

    /// <summary>Nodes that pods without spec.nodeName are scheduled on; node i owns pod CIDR <c>&lt;prefix&gt;.i.0/24</c>.</summary>
    public IReadOnlyList<string> Nodes { get; init; } = ["node-0"];

    /// <summary>First two octets of the pod network; node i gets <c>&lt;prefix&gt;.i.0/24</c>.</summary>
    public string PodCidrPrefix { get; init; } = "10.244";

    /// <summary>Range that VIPs are allocated from for services without spec.clusterIP.</summary>
    public string ServiceCidr { get; init; } = "10.96.0.0/16";

    /// <summary>
    /// Labels of nodes (we read no Node objects): topology.kubernetes.io/region|zone and topology.istio.io/subzone
    /// give workloads on the node their locality. Optional.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NodeLabels { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();
}
