using k8s.Models;
using Mesh.Control.Config.Crds;

namespace Mesh.Control.Config.Files;

/// <summary>
/// The kinds the manifest directory understands, keyed like <c>k8s.KubernetesYaml</c>'s type map:
/// <c>"{apiVersion}/{kind}"</c> where apiVersion already carries the group ("security.istio.io/v1/AuthorizationPolicy").
/// </summary>
internal static class ManifestKinds
{
    public const string NamespaceKind = "Namespace";

    /// <summary>Kinds without a namespace (no "default" is filled in; named without one).</summary>
    public static bool IsClusterScoped(string? kind) => kind is NamespaceKind or "GatewayClass";

    // A mutable Dictionary type only because KubernetesYaml takes IDictionary; never written after init.
    public static readonly Dictionary<string, Type> TypeMap = new(StringComparer.Ordinal)
    {
        ["v1/Namespace"] = typeof(V1Namespace),
        ["v1/Pod"] = typeof(V1Pod),
        ["v1/Service"] = typeof(V1Service),
        ["v1/ServiceAccount"] = typeof(V1ServiceAccount),
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["security.istio.io/v1/AuthorizationPolicy"] = typeof(AuthorizationPolicy),
        ["security.istio.io/v1beta1/AuthorizationPolicy"] = typeof(AuthorizationPolicy),
        ["security.istio.io/v1/PeerAuthentication"] = typeof(PeerAuthentication),
        ["security.istio.io/v1beta1/PeerAuthentication"] = typeof(PeerAuthentication),
        ["gateway.networking.k8s.io/v1/GatewayClass"] = typeof(GatewayClass),
        ["gateway.networking.k8s.io/v1beta1/GatewayClass"] = typeof(GatewayClass),
        ["gateway.networking.k8s.io/v1/Gateway"] = typeof(Gateway),
        ["gateway.networking.k8s.io/v1beta1/Gateway"] = typeof(Gateway),
        ["gateway.networking.k8s.io/v1/HTTPRoute"] = typeof(HttpRoute),
        ["gateway.networking.k8s.io/v1beta1/HTTPRoute"] = typeof(HttpRoute),
    };

    public static string Key(string apiVersion, string kind) => apiVersion + "/" + kind;
}
