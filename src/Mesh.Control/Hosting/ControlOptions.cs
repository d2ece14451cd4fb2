namespace Mesh.Control.Hosting;

/// <summary>Control-plane settings, bound from the "Mesh:Control" configuration section.</summary>
public sealed class ControlOptions
{
    public const string Section = "Mesh:Control";

    /// <summary>Directory of Kubernetes YAML to read and watch (the embedded config source).</summary>
    public string? Manifests { get; set; }

    /// <summary>Comma-separated node names that pods without spec.nodeName are scheduled onto.</summary>
    public string Nodes { get; set; } = "node-0";

    /// <summary>
    /// First two octets of the pod network (node i gets &lt;prefix&gt;.i.0/24). Local mode without root asks for
    /// loopback addresses ("127.10") so pods can bind their IPs without network namespaces.
    /// </summary>
    public string PodCidrPrefix { get; set; } = "10.244";

    public string TrustDomain { get; set; } = "cluster.local";
    public string ClusterId { get; set; } = "Kubernetes";
    public string RootNamespace { get; set; } = "istio-system";
    public string DomainSuffix { get; set; } = "cluster.local";

    /// <summary>How often an empty (re)started entity asks the publishers for its value.</summary>
    public TimeSpan EntityAskInterval { get; set; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<string> NodeList() =>
        Nodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
