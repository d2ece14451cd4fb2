namespace Mesh.Protocol.Identity;

/// <summary>
/// How a member certificate names its holder. The URI SAN is a SPIFFE id shaped like the Kubernetes service
/// account the member would run as (<c>spiffe://cluster.local/ns/mesh-system/sa/mesh-node</c>), so the same
/// identity scheme works when the Helm chart issues these; a DNS SAN carries the member name (control-0, node-a)
/// for humans and logs.
/// </summary>
public static class MemberIdentity
{
    public const string TrustDomain = "cluster.local";
    public const string Namespace = "mesh-system";
    public const string DefaultPeerIdPrefix = $"spiffe://{TrustDomain}/ns/{Namespace}/sa/mesh-";

    /// <summary>The SPIFFE id of a member with this cluster role (control, node, waypoint).</summary>
    public static string SpiffeId(string role) => $"{DefaultPeerIdPrefix}{role}";
}
