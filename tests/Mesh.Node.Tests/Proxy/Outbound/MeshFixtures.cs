using System.Net;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.Tests.Proxy.Outbound;

/// <summary>Small builders for mesh state in outbound specs.</summary>
internal static class MeshFixtures
{
    public const string Vip = "10.96.0.10";
    public static readonly WaypointRef Waypoint = new("demo", "waypoint", "waypoint.demo.svc.cluster.local");

    public static Workload Pod(string name, string ip, TunnelProtocol protocol = TunnelProtocol.Hbone, string node = "node-a",
        Locality? locality = null, WorkloadStatus status = WorkloadStatus.Healthy, WaypointRef? waypoint = null,
        string network = "", string sa = "default", params ServiceBinding[] services) => new(
        $"Kubernetes//Pod/demo/{name}", name, "demo", ValueList.Of(ip), "", network, protocol, "cluster.local", sa, waypoint,
        node, name, "v1", WorkloadType.Deployment, name, "Kubernetes", services.ToValueList(), status, [], locality);

    public static Service Echo(LoadBalancing? loadBalancing = null, WaypointRef? waypoint = null) => new("echo", "demo",
        "echo.demo.svc.cluster.local", ValueList.Of(Vip), ValueList.Of(new ServicePort(80, 8080, "http", "http")), waypoint, loadBalancing);

    /// <summary>An endpoint of <see cref="Echo"/> receiving service port 80 on 8080.</summary>
    public static Workload Endpoint(string name, string ip, TunnelProtocol protocol = TunnelProtocol.Hbone, string node = "node-a",
        Locality? locality = null, WorkloadStatus status = WorkloadStatus.Healthy) =>
        Pod(name, ip, protocol, node, locality, status,
            services: new ServiceBinding(Echo().Key, ValueList.Of(new PortMapping(80, 8080))));

    public static AddressRecord ServiceRecord(Service service, params Workload[] endpoints) =>
        new(service.Addresses[0], null, service, endpoints.ToValueList());

    public static AddressRecord WorkloadRecord(Workload workload) => new(workload.Addresses[0], workload, null, ValueList<Workload>.Empty);

    public static IPEndPoint At(string ip, int port) => new(IPAddress.Parse(ip), port);
}
