using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Tests;

/// <summary>Model values shared by the tests: "full" sets every field to a non-default value, "minimal" to the default.</summary>
internal static class Samples
{
    public static Workload FullWorkload(string name = "reviews-v1-7d9f8c6b5-abcde", string ip = "10.244.1.17") => new(
        Uid: $"Kubernetes//Pod/bookinfo/{name}",
        Name: name,
        Namespace: "bookinfo",
        Addresses: ValueList.Of(ip, "fd00:10:244:1::11"),
        Hostname: "reviews-v1.bookinfo.svc",
        Network: "net-1",
        TunnelProtocol: TunnelProtocol.Hbone,
        TrustDomain: "cluster.local",
        ServiceAccount: "bookinfo-reviews",
        Waypoint: new WaypointRef("bookinfo", "waypoint", "waypoint.bookinfo.svc.cluster.local", 15009),
        Node: "worker-1",
        CanonicalName: "reviews",
        CanonicalRevision: "v1",
        WorkloadType: WorkloadType.Pod,
        WorkloadName: "reviews-v1",
        ClusterId: "Kubernetes",
        Services: ValueList.Of(
            new ServiceBinding("bookinfo/reviews.bookinfo.svc.cluster.local", ValueList.Of(new PortMapping(9080, 9080), new PortMapping(80, 8080))),
            new ServiceBinding("bookinfo/reviews-v1.bookinfo.svc.cluster.local", ValueList.Of(new PortMapping(9080, 9081)))),
        Status: WorkloadStatus.Unhealthy,
        AuthorizationPolicies: ValueList.Of("bookinfo/allow-productpage", "istio-system/deny-all"),
        Locality: new Locality("eu-west-1", "eu-west-1a", "rack-7"));

    /// <summary>What most pods look like: one IP, one service, no waypoint or policies.</summary>
    public static Workload TypicalWorkload() => new(
        "Kubernetes//Pod/bookinfo/reviews-v1-7d9f8c6b5-abcde", "reviews-v1-7d9f8c6b5-abcde", "bookinfo",
        ValueList.Of("10.244.1.17"), "", "", TunnelProtocol.Hbone, "cluster.local", "bookinfo-reviews", null,
        "worker-1", "reviews", "v1", WorkloadType.Pod, "reviews-v1", "Kubernetes",
        ValueList.Of(new ServiceBinding("bookinfo/reviews.bookinfo.svc.cluster.local", ValueList.Of(new PortMapping(9080, 9080)))),
        WorkloadStatus.Healthy, ValueList<string>.Empty, new Locality("eu-west-1", "eu-west-1a", ""));

    public static Workload MinimalWorkload() => new(
        "", "", "", ValueList<string>.Empty, "", "", TunnelProtocol.None, "", "", null, "", "", "",
        WorkloadType.Deployment, "", "", ValueList<ServiceBinding>.Empty, WorkloadStatus.Healthy, ValueList<string>.Empty, null);

    public static Service FullService() => new(
        Name: "reviews",
        Namespace: "bookinfo",
        Hostname: "reviews.bookinfo.svc.cluster.local",
        Addresses: ValueList.Of("10.96.12.34", "fd00:10:96::1234"),
        Ports: ValueList.Of(new ServicePort(9080, 9080, "http", "http"), new ServicePort(443, 0, "https-named", "tls")),
        Waypoint: new WaypointRef("bookinfo", "waypoint", "waypoint.bookinfo.svc.cluster.local"),
        LoadBalancing: new LoadBalancing(ValueList.Of(LocalityScope.Network, LocalityScope.Region, LocalityScope.Zone, LocalityScope.Subzone, LocalityScope.Node, LocalityScope.Cluster), LoadBalancingMode.Failover));

    public static Service MinimalService() =>
        new("", "", "", ValueList<string>.Empty, ValueList<ServicePort>.Empty, null, null);

    /// <summary>A match with every field populated, so each list and each StringMatchKind is exercised.</summary>
    public static Match FullMatch() => new(
        Namespaces: ValueList.Of(StringMatch.Parse("bookinfo"), StringMatch.Parse("prod-*")),
        NotNamespaces: ValueList.Of(StringMatch.Parse("*-test")),
        Principals: ValueList.Of(StringMatch.Parse("cluster.local/ns/bookinfo/sa/productpage"), StringMatch.Parse("*")),
        NotPrincipals: ValueList.Of(StringMatch.Parse("cluster.local/ns/evil/*")),
        SourceIps: ValueList.Of(new IpBlock("10.0.0.0", 8), new IpBlock("fd00::", 64)),
        NotSourceIps: ValueList.Of(new IpBlock("10.0.0.66", 32)),
        DestinationIps: ValueList.Of(new IpBlock("10.96.12.34", 32)),
        NotDestinationIps: ValueList.Of(new IpBlock("192.168.0.0", 16)),
        DestinationPorts: ValueList.Of(9080, 443, 65535),
        NotDestinationPorts: ValueList.Of(22, 0),
        ServiceAccounts: ValueList.Of(new ServiceAccountMatch("bookinfo", "productpage")),
        NotServiceAccounts: ValueList.Of(new ServiceAccountMatch("kube-system", "default"), new ServiceAccountMatch("evil", "sa")));

    public static Authorization FullAuthorization() => new(
        Name: "allow-productpage",
        Namespace: "bookinfo",
        Scope: PolicyScope.WorkloadSelector,
        Action: PolicyAction.Deny,
        Rules: ValueList.Of(
            new Rule(ValueList.Of(new Clause(ValueList.Of(FullMatch(), Match.Empty)), new Clause(ValueList<Match>.Empty))),
            new Rule(ValueList<Clause>.Empty)),
        DryRun: true);

    public static Authorization MinimalAuthorization() =>
        new("", "", PolicyScope.Global, PolicyAction.Allow, ValueList<Rule>.Empty);

    public static NodeSlice FullSlice() => new(
        "worker-1",
        ValueList.Of(FullWorkload(), FullWorkload("ratings-v1-5f9c7d8b4-xyz12", "10.244.1.18"), MinimalWorkload()),
        ValueList.Of(FullService(), MinimalService()),
        ValueList.Of(FullAuthorization(), MinimalAuthorization()));

    public static AddressRecord WorkloadRecord() =>
        new("10.244.1.17", FullWorkload(), null, ValueList<Workload>.Empty);

    public static AddressRecord ServiceRecord() =>
        new("10.96.12.34", null, FullService(), ValueList.Of(FullWorkload(), FullWorkload("reviews-v2-x", "10.244.2.9")));

    public static AddressRecord BothRecord() =>
        new("10.1.2.3", MinimalWorkload(), MinimalService(), ValueList.Of(MinimalWorkload()));

    /// <summary>At least a full and a minimal instance of every message type.</summary>
    public static IEnumerable<IMeshMessage> AllMessages()
    {
        yield return new PutNodeSlice(FullSlice());
        yield return new PutNodeSlice(NodeSlice.EmptyFor(""));
        yield return new SubscribeNode("worker-1");
        yield return new SubscribeNode("");
        yield return new NodeSnapshot(FullSlice(), 42);
        yield return new NodeSnapshot(NodeSlice.EmptyFor("worker-2"), 0);
        yield return new NodeSnapshot(NodeSlice.EmptyFor("n"), long.MaxValue);
        yield return new NodeSnapshot(NodeSlice.EmptyFor("n"), -1);
        yield return new NeedNodeSlice("worker-1");
        yield return new NeedNodeSlice("");
        yield return new PutAddress(WorkloadRecord());
        yield return new PutAddress(ServiceRecord());
        yield return new PutAddress(BothRecord());
        yield return new PutAddress(AddressRecord.Unknown(""));
        yield return new LookupAddress("10.244.1.17", true);
        yield return new LookupAddress("", false);
        yield return new AddressAnswer(ServiceRecord(), 7);
        yield return new AddressAnswer(WorkloadRecord(), long.MinValue);
        yield return new AddressAnswer(AddressRecord.Unknown("10.9.9.9"), 0);
        yield return new NeedAddress("fd00:10:244:1::11");
        yield return new NeedAddress("");
        yield return new UnwatchAddress("198.18.7.9");
        yield return new UnwatchAddress("echo.demo.svc.cluster.local");
        yield return new CertificateSigningRequest("node-0", "spiffe://cluster.local/ns/demo/sa/echo",
            "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n");
        yield return new CertificateSigningRequest("", "", "");
        yield return new CertificateIssued("spiffe://cluster.local/ns/demo/sa/echo",
            "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n");
        yield return new CertificateRefused("spiffe://cluster.local/ns/other/sa/x", "no pod with service account other/x is scheduled on node node-0");
    }
}
