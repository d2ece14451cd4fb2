using System.Collections.Immutable;
using k8s.Models;
using Mesh.Control.Ambient;
using Mesh.Control.Config;
using Mesh.Control.Config.Crds;

namespace Mesh.Control.Tests.Ambient;

/// <summary>Small builders for the Kubernetes objects the ambient tests feed in.</summary>
internal static class Manifests
{
    public static readonly AmbientOptions Options = new();

    public static Dictionary<string, string> Labels(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    public static V1Namespace Namespace(string name, params (string, string)[] labels) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = Labels(labels) } };

    public static V1Namespace AmbientNamespace(string name, params (string, string)[] extra) =>
        Namespace(name, [(AmbientLabels.DataplaneMode, "ambient"), .. extra]);

    public static V1Pod Pod(string ns, string name, params (string, string)[] labels) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = Labels(labels) },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app" }] },
    };

    public static V1Pod WithPorts(this V1Pod pod, params (string Name, int Port)[] ports)
    {
        pod.Spec.Containers[0].Ports = ports.Select(p => new V1ContainerPort { Name = p.Name, ContainerPort = p.Port }).ToList();
        return pod;
    }

    public static V1Pod OwnedBy(this V1Pod pod, string kind, string name, bool controller = true)
    {
        pod.Metadata.OwnerReferences = [new V1OwnerReference { Kind = kind, Name = name, Controller = controller, ApiVersion = "v1", Uid = "x" }];
        return pod;
    }

    public static V1Pod WithStatus(this V1Pod pod, string? phase = null, string? ip = null, string? ready = null)
    {
        pod.Status = new V1PodStatus { Phase = phase, PodIP = ip };
        if (ready is not null) pod.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = ready }];
        return pod;
    }

    public static V1Service Service(string ns, string name, IDictionary<string, string>? selector, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string>() },
        Spec = new V1ServiceSpec { Selector = selector, Ports = ports.ToList() },
    };

    public static V1ServicePort Port(int port, string? target = null, string? name = null, string? appProtocol = null) =>
        new() { Port = port, TargetPort = target is null ? null : (IntOrString)target, Name = name, AppProtocol = appProtocol };

    public static Gateway Waypoint(string ns, string name, string? waypointFor = null, string? allowedFrom = null)
    {
        var gateway = new Gateway
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string>() },
            Spec = new GatewaySpec
            {
                GatewayClassName = AmbientLabels.WaypointGatewayClass,
                Listeners = [new GatewayListener { Name = "mesh", Port = 15008, Protocol = "HBONE" }],
            },
        };
        if (waypointFor is not null) gateway.Metadata.Labels[AmbientLabels.WaypointFor] = waypointFor;
        if (allowedFrom is not null)
            gateway.Spec.Listeners[0].AllowedRoutes = new Dictionary<string, object> { ["namespaces"] = new Dictionary<string, object> { ["from"] = allowedFrom } };
        return gateway;
    }

    public static AuthorizationPolicy Policy(string ns, string name, string? action = null, IDictionary<string, string>? selector = null, params AuthorizationRule[]? rules) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new AuthorizationPolicySpec
        {
            Action = action,
            Selector = selector is null ? null : new WorkloadSelector { MatchLabels = selector },
            Rules = rules?.ToList(),
        },
    };

    public static AuthorizationRule From(Source source) => new() { From = [new RuleFrom { Source = source }] };
    public static AuthorizationRule To(Operation operation) => new() { To = [new RuleTo { Operation = operation }] };
    public static AuthorizationRule When(string key, string[]? values = null, string[]? notValues = null) =>
        new() { When = [new Condition { Key = key, Values = values, NotValues = notValues }] };

    public static PeerAuthentication PeerAuth(string ns, string name, string? mode, IDictionary<string, string>? selector = null,
        IDictionary<string, string>? ports = null, DateTime? created = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, CreationTimestamp = created },
        Spec = new PeerAuthenticationSpec
        {
            Mtls = mode is null ? null : new MutualTls { Mode = mode },
            Selector = selector is null ? null : new WorkloadSelector { MatchLabels = selector },
            PortLevelMtls = ports?.ToDictionary(p => p.Key, p => new MutualTls { Mode = p.Value }),
        },
    };

    public static ManifestSet Set(
        IEnumerable<V1Namespace>? namespaces = null,
        IEnumerable<V1Pod>? pods = null,
        IEnumerable<V1Service>? services = null,
        IEnumerable<AuthorizationPolicy>? policies = null,
        IEnumerable<PeerAuthentication>? peerAuthentications = null,
        IEnumerable<Gateway>? gateways = null) =>
        ManifestSet.Empty with
        {
            Namespaces = (namespaces ?? []).ToImmutableArray(),
            Pods = (pods ?? []).ToImmutableArray(),
            Services = (services ?? []).ToImmutableArray(),
            AuthorizationPolicies = (policies ?? []).ToImmutableArray(),
            PeerAuthentications = (peerAuthentications ?? []).ToImmutableArray(),
            Gateways = (gateways ?? []).ToImmutableArray(),
        };

    public static MeshState Compute(ManifestSet set, AmbientOptions? options = null) =>
        MeshStateComputer.Compute(set, options ?? Options);

    public static Mesh.Protocol.Model.Workload Workload(this MeshState state, string ns, string name) =>
        state.Workloads.Single(w => w.Namespace == ns && w.Name == name);

    public static Mesh.Protocol.Model.Service Service(this MeshState state, string ns, string name) =>
        state.Services.Single(s => s.Namespace == ns && s.Name == name);

    public static Mesh.Protocol.Model.Authorization Policy(this MeshState state, string ns, string name) =>
        state.Policies.Single(p => p.Namespace == ns && p.Name == name);
}
