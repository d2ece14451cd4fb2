using System.Net;
using Mesh.Node.Telemetry;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;

namespace Mesh.Node.Tests.Telemetry;

/// <summary>Workloads, services and connection records shaped like the data path will report them.</summary>
public static class TelemetryFixtures
{
    public static Workload Workload(string ns, string name, string address, string workloadName, string canonical, string revision,
        string serviceAccount = "default", string node = "node-a") => new(
        Uid: $"Kubernetes//Pod/{ns}/{name}", Name: name, Namespace: ns, Addresses: ValueList.Of(address), Hostname: "",
        Network: "", TunnelProtocol: TunnelProtocol.Hbone, TrustDomain: "cluster.local", ServiceAccount: serviceAccount,
        Waypoint: null, Node: node, CanonicalName: canonical, CanonicalRevision: revision, WorkloadType: WorkloadType.Deployment,
        WorkloadName: workloadName, ClusterId: "Kubernetes", Services: ValueList<ServiceBinding>.Empty, Status: WorkloadStatus.Healthy,
        AuthorizationPolicies: ValueList<string>.Empty, Locality: null);

    public static readonly Workload Sleep = Workload("default", "sleep-7656cf8794-r7zb9", "10.244.1.5", "sleep", "sleep", "latest", "sleep");
    public static readonly Workload Reviews = Workload("bookinfo", "reviews-v1-7d8f-x", "10.244.2.7", "reviews-v1", "reviews", "v1", "bookinfo-reviews", "node-b");

    public static readonly Service ReviewsService = new("reviews", "bookinfo", "reviews.bookinfo.svc.cluster.local",
        ValueList.Of("10.96.0.20"), ValueList.Of(new ServicePort(9080, 9080, "http", "http")), null, null);

    public static IPEndPoint Ep(string text) => IPEndPoint.Parse(text);

    /// <summary>sleep → reviews service over HBONE, as the outbound path reports it.</summary>
    public static ConnectionRecord OutboundHbone() => new()
    {
        Direction = ConnectionDirection.Outbound,
        Protocol = ConnectionProtocol.Hbone,
        SourceAddress = Ep("10.244.1.5:41228"),
        SourceWorkload = Sleep,
        DestinationAddress = Ep("10.244.2.7:15008"),
        DestinationHboneAddress = Ep("10.244.2.7:9080"),
        OriginalDestination = Ep("10.96.0.20:9080"),
        DestinationService = ReviewsService,
        DestinationWorkload = Reviews,
        DestinationIdentity = new SpiffeId("cluster.local", "bookinfo", "bookinfo-reviews"),
        SecurityPolicy = ConnectionSecurityPolicy.MutualTls,
    };

    /// <summary>The same connection as the destination's ztunnel sees it on 15008.</summary>
    public static ConnectionRecord InboundHbone() => new()
    {
        Direction = ConnectionDirection.Inbound,
        Protocol = ConnectionProtocol.Hbone,
        SourceAddress = Ep("10.244.1.5:41228"),
        SourceWorkload = Sleep,
        SourceIdentity = new SpiffeId("cluster.local", "default", "sleep"),
        DestinationAddress = Ep("10.244.2.7:9080"),
        DestinationHboneAddress = Ep("10.244.2.7:9080"),
        DestinationWorkload = Reviews,
        SecurityPolicy = ConnectionSecurityPolicy.MutualTls,
    };

    /// <summary>A captured connection to somewhere outside the mesh (passthrough, plain TCP).</summary>
    public static ConnectionRecord OutboundPassthrough() => new()
    {
        Direction = ConnectionDirection.Outbound,
        SourceAddress = Ep("10.244.1.5:50000"),
        SourceWorkload = Sleep,
        DestinationAddress = Ep("93.184.216.34:443"),
        OriginalDestination = Ep("93.184.216.34:443"),
        SecurityPolicy = ConnectionSecurityPolicy.None,
    };
}
