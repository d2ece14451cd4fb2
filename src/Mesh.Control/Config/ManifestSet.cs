using System.Collections.Immutable;
using k8s.Models;
using Mesh.Control.Config.Crds;

namespace Mesh.Control.Config;

/// <summary>
/// The Kubernetes objects the control plane reads, as one immutable snapshot. Produced by a config source
/// (manifest directory or Kubernetes informers); consumed by the pure state computation in <c>Ambient/</c>.
/// Deployments are already expanded into <see cref="Pods"/> (owned by a ReplicaSet, as Kubernetes would).
/// </summary>
public sealed record ManifestSet(
    ImmutableArray<V1Namespace> Namespaces,
    ImmutableArray<V1Pod> Pods,
    ImmutableArray<V1Deployment> Deployments,
    ImmutableArray<V1Service> Services,
    ImmutableArray<V1ServiceAccount> ServiceAccounts,
    ImmutableArray<AuthorizationPolicy> AuthorizationPolicies,
    ImmutableArray<PeerAuthentication> PeerAuthentications,
    ImmutableArray<Gateway> Gateways,
    ImmutableArray<HttpRoute> HttpRoutes)
{
    public static readonly ManifestSet Empty = new([], [], [], [], [], [], [], [], []);

    /// <summary>Cluster-scoped GatewayClasses (read for their <c>istio.io/waypoint-for</c> label).</summary>
    public ImmutableArray<GatewayClass> GatewayClasses { get; init; } = [];
}
