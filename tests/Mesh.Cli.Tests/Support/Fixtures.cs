using Mesh.Protocol.Admin;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Tests.Support;

/// <summary>DTOs the fake endpoint serves.</summary>
public static class Fixtures
{
    public static Workload Workload(string ns, string name, string address, string node = "node-a",
        WaypointRef? waypoint = null, TunnelProtocol protocol = TunnelProtocol.Hbone, params string[] serviceKeys) =>
        new(
            Uid: $"Kubernetes//Pod/{ns}/{name}",
            Name: name,
            Namespace: ns,
            Addresses: ValueList.Of(address),
            Hostname: "",
            Network: "",
            TunnelProtocol: protocol,
            TrustDomain: "cluster.local",
            ServiceAccount: "default",
            Waypoint: waypoint,
            Node: node,
            CanonicalName: name,
            CanonicalRevision: "v1",
            WorkloadType: WorkloadType.Pod,
            WorkloadName: name,
            ClusterId: "Kubernetes",
            Services: serviceKeys.Select(k => new ServiceBinding(k, ValueList.Of(new PortMapping(80, 8080)))).ToValueList(),
            Status: WorkloadStatus.Healthy,
            AuthorizationPolicies: ValueList<string>.Empty,
            Locality: null);

    public static Service Service(string ns, string name, string vip, WaypointRef? waypoint = null) =>
        new(name, ns, $"{name}.{ns}.svc.cluster.local", ValueList.Of(vip),
            ValueList.Of(new ServicePort(80, 8080, "http", "http")), waypoint, null);

    public static Authorization Policy(string ns, string name, PolicyAction action, PolicyScope scope, bool dryRun = false) =>
        new(name, ns, scope, action, ValueList<Rule>.Empty, dryRun);

    public static readonly WaypointRef Waypoint = new("default", "waypoint", "waypoint.default.svc.cluster.local");

    /// <summary>Two namespaces, a waypoint-bound service, a plain-TCP pod: enough to pin every column.</summary>
    public static NodeStateView NodeState(bool synced = true) => new("node-a", 7, synced, new NodeSlice(
        "node-a",
        ValueList.Of(
            Workload("default", "reviews-v1-7d8f", "10.244.1.12", serviceKeys: "default/reviews.default.svc.cluster.local"),
            Workload("bookinfo", "productpage-v1-abc", "10.244.1.5", waypoint: Waypoint,
                serviceKeys: "bookinfo/productpage.bookinfo.svc.cluster.local"),
            Workload("default", "legacy-0", "10.244.1.9", protocol: TunnelProtocol.None),
            Workload("default", "reviews-v2-1a2b", "10.244.1.13", serviceKeys: "default/reviews.default.svc.cluster.local")),
        ValueList.Of(
            Service("default", "reviews", "10.96.0.20"),
            Service("bookinfo", "productpage", "10.96.0.10", Waypoint)),
        ValueList.Of(
            Policy("default", "deny-legacy", PolicyAction.Deny, PolicyScope.WorkloadSelector),
            Policy("istio-system", "mesh-wide", PolicyAction.Allow, PolicyScope.Global),
            Policy("bookinfo", "ns-allow", PolicyAction.Allow, PolicyScope.Namespace, dryRun: true))));

    public static readonly ClusterView Cluster = new(
        Self: "akka.tcp://mesh@10.0.0.1:4053",
        Leader: "akka.tcp://mesh@10.0.0.1:4053",
        Members:
        [
            new MemberView("akka.tcp://mesh@10.0.0.3:4053", ["node"], "Up", false),
            new MemberView("akka.tcp://mesh@10.0.0.1:4053", ["control"], "Up", true),
            new MemberView("akka.tcp://mesh@10.0.0.2:4053", ["node", "waypoint"], "Leaving", true),
        ]);
}
