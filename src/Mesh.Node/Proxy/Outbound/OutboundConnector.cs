using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Node.Telemetry;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>A route has nowhere to go (a service with no healthy endpoint).</summary>
public sealed class NoRouteException(string message) : Exception(message);

/// <summary>Who opens an outbound connection: the source workload (null when unknown) and its address.</summary>
public readonly record struct OutboundSource(Workload? Workload, IPAddress Address);

/// <summary>
/// Carries out an <see cref="OutboundRoute"/>: an HBONE tunnel through <see cref="IHboneConnector"/> (the node's
/// pooled client), or a plain TCP connection through <c>connectPlain</c> (for a captured pod: a socket born in the pod's
/// netns with the ztunnel mark). Used by both the 15001 capture path and SOCKS5, so both route alike.
/// Until waypoints exist, a <see cref="RouteKind.Waypoint"/> route takes its fallback (logged once per waypoint);
/// without an HBONE connector, an HBONE route is carried as plain TCP to the same target.
/// Reports each connection to <c>telemetry</c>: opened once the route is known, closed on a failed connect
/// (<see cref="OutboundTelemetry.ConnectFailure"/>) or by the upstream when its relay ends.
/// </summary>
public sealed class OutboundConnector(
    IHboneConnector? hbone,
    Func<IPEndPoint, CancellationToken, Task<Socket>> connectPlain,
    ILogger log,
    IConnectionTelemetry? telemetry = null)
{
    private readonly IConnectionTelemetry _telemetry = telemetry ?? NoConnectionTelemetry.Instance;

    private static readonly ConcurrentDictionary<string, bool> WaypointsWarned = new(StringComparer.Ordinal);

    /// <summary>Whether HBONE routes are carried over HBONE (an HBONE client is plugged in).</summary>
    public bool HboneEnabled => hbone is not null;

    /// <summary>
    /// Opens the upstream for <paramref name="route"/>. Throws <see cref="NoRouteException"/> (no endpoint),
    /// <see cref="SocketException"/> (plain connect failed), <see cref="HboneException"/> (tunnel refused or failed),
    /// or <see cref="OperationCanceledException"/> (<paramref name="ct"/>, e.g. the connect timeout).
    /// </summary>
    /// <param name="client">The app's socket address (HBONE <c>forwarded: for=</c>).</param>
    /// <param name="original">What the app dialed (e.g. a service VIP), for telemetry.</param>
    public async Task<OutboundUpstream> ConnectAsync(OutboundRoute route, OutboundSource source, IPEndPoint client, CancellationToken ct,
        IPEndPoint? original = null)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(client);
        var effective = Effective(route);
        var overHbone = effective.Kind == RouteKind.Hbone && hbone is not null && source.Workload is not null;
        if (effective.Kind == RouteKind.Hbone && !overHbone)
            effective = effective with { Kind = RouteKind.PlainTcp, Note = "no HBONE client on this node" };
        var record = OutboundTelemetry.Describe(effective, source, client, original ?? route.Target, overHbone);
        _telemetry.Opened(record);
        try
        {
            if (effective.Kind == RouteKind.NoEndpoint) throw new NoRouteException(effective.Describe());
            if (overHbone)
            {
                var from = source.Workload!;
                var request = new HboneRequest(from.Identity, source.Address, effective.Workload!.Identity,
                    effective.HboneEndpoint!, effective.Target!, client, Baggage.For(from), Baggage.NewTraceParent());
                var tunnel = await hbone!.OpenAsync(request, ct).ConfigureAwait(false);
                return OutboundUpstream.Tunnel(tunnel, Describe(route, effective), _telemetry, record);
            }
            var socket = await connectPlain(effective.Target!, ct).ConfigureAwait(false);
            return OutboundUpstream.Plain(socket, Describe(route, effective), _telemetry, record);
        }
        catch (Exception e)
        {
            _telemetry.Closed(record, 0, 0, OutboundTelemetry.ConnectFailure(e));
            throw;
        }
    }

    /// <summary>The route actually taken: a waypoint route's fallback until waypoints are built.</summary>
    private OutboundRoute Effective(OutboundRoute route)
    {
        if (route.Kind != RouteKind.Waypoint) return route;
        var waypoint = route.Waypoint!;
        if (WaypointsWarned.TryAdd($"{waypoint.Namespace}/{waypoint.Name}", true))
            log.LogWarning("waypoint {Namespace}/{Name} ({Hostname}) is not supported yet: its traffic bypasses it ({Route})",
                waypoint.Namespace, waypoint.Name, waypoint.Hostname, route.Fallback?.Describe());
        return route.Fallback ?? OutboundRoute.Passthrough(route.Target!);
    }

    private static string Describe(OutboundRoute planned, OutboundRoute taken) => planned.Kind == RouteKind.Waypoint
        ? $"{taken.Describe()} (bypassing waypoint {planned.Waypoint!.Namespace}/{planned.Waypoint.Name}: not supported yet)"
        : taken.Describe();
}
