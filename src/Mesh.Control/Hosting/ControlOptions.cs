using Microsoft.Extensions.Options;

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

    /// <summary>
    /// How long an address entity nobody watches (every node that looked it up has unwatched it or died) stays before
    /// it passivates. Longer than the nodes' negative-answer TTL, so an outside address dialled again and again is
    /// answered from memory rather than through the publishers.
    /// </summary>
    public TimeSpan AddressEntityIdle { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many idle address entities per control member; past it the oldest idle one passivates at once.</summary>
    public int MaxIdleAddressEntities { get; set; } = 10_000;

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every value that cannot work, each naming its key.</summary>
    public void Validate()
    {
        var failures = new List<string>();
        if (EntityAskInterval <= TimeSpan.Zero)
            failures.Add($"{Section}:{nameof(EntityAskInterval)} = {EntityAskInterval}: must be greater than zero");
        if (AddressEntityIdle <= TimeSpan.Zero)
            failures.Add($"{Section}:{nameof(AddressEntityIdle)} = {AddressEntityIdle}: must be greater than zero");
        if (MaxIdleAddressEntities < 1)
            failures.Add($"{Section}:{nameof(MaxIdleAddressEntities)} = {MaxIdleAddressEntities}: must be at least 1");
        if (NodeList().Count == 0)
            failures.Add($"{Section}:{nameof(Nodes)} = '{Nodes}': name at least one node");
        if (failures.Count > 0) throw new OptionsValidationException(Section, typeof(ControlOptions), failures);
    }

    public IReadOnlyList<string> NodeList() =>
        Nodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
