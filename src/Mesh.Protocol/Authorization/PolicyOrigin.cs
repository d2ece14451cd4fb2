namespace Mesh.Protocol.Authz;

/// <summary>Where an L4 policy came from: an AuthorizationPolicy, or a DENY synthesized from PeerAuthentication.</summary>
public enum PolicyOrigin { AuthorizationPolicy = 0, PeerAuthentication = 1 }

/// <summary>
/// The names the control plane gives PeerAuthentication-derived DENY policies (Istio ambient's): the static
/// "deny plaintext" policy in the root namespace, and per-workload port-level conversions.
/// </summary>
public static class PeerAuthenticationPolicies
{
    /// <summary><c>&lt;root&gt;/istio_converted_static_strict</c>: DENY when the peer has no principal.</summary>
    public const string StaticStrictName = "istio_converted_static_strict";

    /// <summary><c>&lt;ns&gt;/converted_peer_authentication_&lt;name&gt;</c>: STRICT/PERMISSIVE with port-level exceptions.</summary>
    public const string ConvertedPrefix = "converted_peer_authentication_";

    public static PolicyOrigin OriginOf(Model.Authorization policy) =>
        policy.Name == StaticStrictName || policy.Name.StartsWith(ConvertedPrefix, StringComparison.Ordinal)
            ? PolicyOrigin.PeerAuthentication
            : PolicyOrigin.AuthorizationPolicy;
}
