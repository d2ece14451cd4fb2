using System.Net;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>How a captured outbound connection is carried; <see cref="OutboundPlanner"/> chooses in istio/ztunnel's order.</summary>
public enum RouteKind
{
    /// <summary>HTTP/2 CONNECT over mTLS to the destination pod's 15008, <c>:authority</c> = podIP:targetPort.</summary>
    Hbone,
    /// <summary>Plain TCP to a mesh destination that does not speak HBONE (or when the source has no identity).</summary>
    PlainTcp,
    /// <summary>Not a mesh address: plain TCP to where the app asked.</summary>
    Passthrough,
    /// <summary>A service with no healthy endpoint for the port: the connection is closed.</summary>
    NoEndpoint,
    /// <summary>HBONE to a waypoint (<c>:authority</c> = the original VIP:port or podIP:port). Not built yet: the
    /// connection takes <see cref="OutboundRoute.Fallback"/>.</summary>
    Waypoint,
}

/// <summary>
/// Where one outbound connection goes and how. <see cref="Target"/> is the address the payload is for: the chosen
/// endpoint's podIP:targetPort (the HBONE <c>:authority</c>), the original destination for passthrough, the original
/// VIP:port (or podIP:port) for a waypoint. <see cref="HboneEndpoint"/> is set for <see cref="RouteKind.Hbone"/>.
/// </summary>
public sealed record OutboundRoute(
    RouteKind Kind,
    IPEndPoint? Target,
    Workload? Workload = null,
    Service? Service = null,
    IPEndPoint? HboneEndpoint = null,
    WaypointRef? Waypoint = null,
    OutboundRoute? Fallback = null,
    string? Note = null)
{
    public static OutboundRoute Passthrough(IPEndPoint original) => new(RouteKind.Passthrough, original);

    public static OutboundRoute NoEndpoint(Service service) => new(RouteKind.NoEndpoint, null, Service: service);

    /// <summary>One line for logs: what was chosen and, for a service, which endpoint.</summary>
    public string Describe()
    {
        var via = Service is { } s ? $"service {s.Key} → " : "";
        var workload = Workload is { } w ? $"{w.Namespace}/{w.Name} " : "";
        var note = Note is null ? "" : $" ({Note})";
        return Kind switch
        {
            RouteKind.Hbone => $"hbone {via}{workload}{Target} via {HboneEndpoint}{note}",
            RouteKind.PlainTcp => $"tcp {via}{workload}{Target}{note}",
            RouteKind.NoEndpoint => $"service {Service!.Key} has no healthy endpoint{note}",
            RouteKind.Waypoint => $"waypoint {Waypoint!.Namespace}/{Waypoint.Name} for {via}{workload}{Target}{note}",
            _ => $"passthrough {Target}{note}",
        };
    }
}
