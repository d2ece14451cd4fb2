using k8s.Models;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>
/// The policy keys a workload lists: WORKLOAD_SELECTOR AuthorizationPolicies whose selector matches the pod
/// (from its namespace, or the root namespace, which applies mesh-wide as in Istio), sorted, then the
/// PeerAuthentication-derived keys. Namespace and global policies apply by scope and are not listed (Istio).
/// </summary>
internal sealed class PolicyAttachment(IReadOnlyList<ConvertedPolicy> policies, PeerAuthenticationConverter peerAuthentication, string rootNamespace)
{
    public IEnumerable<string> KeysFor(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var selected = policies
            .Where(p => p.Authorization.Scope == PolicyScope.WorkloadSelector
                        && (p.Authorization.Namespace == ns || p.Authorization.Namespace == rootNamespace)
                        && LabelSelector.Matches(p.Selector, pod.Metadata.Labels))
            .Select(p => p.Authorization.Key)
            .Order(StringComparer.Ordinal);
        return selected.Concat(peerAuthentication.KeysFor(pod));
    }
}
