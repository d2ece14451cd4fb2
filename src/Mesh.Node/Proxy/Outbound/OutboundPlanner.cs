using System.Net;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>
/// The ztunnel's outbound decision, in istio/ztunnel's order, pure apart from the round-robin position: given the source
/// workload (null when unknown), the original destination and what the mesh knows about its address —
/// <list type="number">
/// <item>a service VIP whose service has a waypoint → <see cref="RouteKind.Waypoint"/> (<c>:authority</c> = VIP:port);</item>
/// <item>a workload address (not service-addressed) whose workload has a waypoint → <see cref="RouteKind.Waypoint"/>;</item>
/// <item>a service VIP otherwise → an endpoint (<see cref="EndpointPicker"/>), then as a workload;</item>
/// <item>an HBONE-capable workload → <see cref="RouteKind.Hbone"/> to podIP:15008 asking for podIP:targetPort, when the
/// source has a mesh identity to present; else <see cref="RouteKind.PlainTcp"/> to podIP:targetPort;</item>
/// <item>anything else → <see cref="RouteKind.Passthrough"/>.</item>
/// </list>
/// Waypoint routes carry the route the connection would take without the waypoint in <see cref="OutboundRoute.Fallback"/>.
/// </summary>
public sealed class OutboundPlanner(string node, EndpointPicker? picker = null, int hbonePort = 15008)
{
    private readonly EndpointPicker _picker = picker ?? new EndpointPicker();

    /// <summary>The port peer ztunnels accept HBONE on (Istio's 15008).</summary>
    public int HbonePort { get; } = hbonePort;

    public OutboundRoute Plan(Workload? source, IPEndPoint original, AddressRecord record)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(record);
        if (record.Service is { } service)
        {
            var direct = ToService(source, original, service, record.Endpoints);
            return service.Waypoint is { } waypoint
                ? new OutboundRoute(RouteKind.Waypoint, original, Service: service, Waypoint: waypoint, Fallback: direct)
                : direct;
        }
        if (record.Workload is { } workload)
        {
            var direct = ToWorkload(source, workload, original, null);
            return workload.Waypoint is { } waypoint
                ? new OutboundRoute(RouteKind.Waypoint, original, workload, Waypoint: waypoint, Fallback: direct)
                : direct;
        }
        return OutboundRoute.Passthrough(original);
    }

    private OutboundRoute ToService(Workload? source, IPEndPoint original, Service service, IReadOnlyList<Workload> endpoints)
    {
        var locality = source is null ? SourceLocality.OnNode(node) : SourceLocality.Of(source);
        if (_picker.Pick(service, endpoints, original.Port, locality) is not { } picked)
            return OutboundRoute.NoEndpoint(service);
        var target = new IPEndPoint(IPAddress.Parse(picked.Workload.Addresses[0]), picked.TargetPort);
        return ToWorkload(source, picked.Workload, target, service);
    }

    private OutboundRoute ToWorkload(Workload? source, Workload destination, IPEndPoint target, Service? service)
    {
        if (destination.TunnelProtocol != TunnelProtocol.Hbone)
            return new OutboundRoute(RouteKind.PlainTcp, target, destination, service);
        if (source is not { TunnelProtocol: TunnelProtocol.Hbone })
        {
            var why = source is null ? "source workload unknown" : "source is not in the mesh";
            return new OutboundRoute(RouteKind.PlainTcp, target, destination, service, Note: $"{why}: no identity for HBONE");
        }
        return new OutboundRoute(RouteKind.Hbone, target, destination, service, new IPEndPoint(target.Address, HbonePort));
    }
}
