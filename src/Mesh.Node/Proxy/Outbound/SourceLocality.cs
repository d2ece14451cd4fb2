using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>
/// Where a connection comes from, for locality-aware endpoint choice: the source workload's node, network, cluster
/// and region/zone/subzone. Without a source workload (SOCKS5 from an unknown client) only the node is known.
/// </summary>
public sealed record SourceLocality(string Node, string Network, string ClusterId, Locality? Locality)
{
    public static SourceLocality Of(Workload workload) =>
        new(workload.Node, workload.Network, workload.ClusterId, workload.Locality);

    public static SourceLocality OnNode(string node) => new(node, "", "", null);

    /// <summary>Whether <paramref name="endpoint"/> is as close as the source in <paramref name="scope"/> (ztunnel's rule).</summary>
    public bool Matches(LocalityScope scope, Workload endpoint) => scope switch
    {
        LocalityScope.Region => Same(Locality?.Region, endpoint.Locality?.Region),
        LocalityScope.Zone => Same(Locality?.Zone, endpoint.Locality?.Zone),
        LocalityScope.Subzone => Same(Locality?.Subzone, endpoint.Locality?.Subzone),
        LocalityScope.Node => Same(Node, endpoint.Node),
        LocalityScope.Cluster => Same(ClusterId, endpoint.ClusterId),
        LocalityScope.Network => Same(Network, endpoint.Network),
        _ => false,
    };

    private static bool Same(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.Ordinal);
}
