using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Relay;
using Mesh.Node.Capture;
using Mesh.Node.Hosting;
using Mesh.Node.Telemetry;
using Mesh.Node.Workloads;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>
/// A local pod's outbound connection from accept to record — the ztunnel's outbound path in one place, phase by phase in
/// the order the bytes meet them (as istio/ztunnel's <c>proxy/outbound.rs</c>):
/// <list type="number">
/// <item><b>Accept</b>: the pod's 15001 listener (<see cref="CapturedPod"/>) or SOCKS5 hands the socket over.</item>
/// <item><b>Original destination</b>: <c>SO_ORIGINAL_DST</c> of the redirected socket.</item>
/// <item><b>Plan</b>: look the destination up (node view, address cache, control plane; <see cref="DestinationResolver"/>)
/// and choose the route in ztunnel's order (<see cref="OutboundPlanner"/>), bounded by <c>LookupTimeout</c>.</item>
/// <item><b>Connect</b>: an HBONE tunnel to podIP:15008 (the pool's own timeout), plain TCP from the pod's netns
/// (<c>ConnectTimeout</c>), or passthrough — one timeout for the phase, so its error says what timed out.</item>
/// <item><b>Relay</b>: <see cref="RelayPump"/> between the client and the upstream.</item>
/// <item><b>Record</b>: one <see cref="ConnectionRecord"/>, opened once the route is known and closed with the bytes and
/// the outcome (its line in the access log, metrics, the pod's counters).</item>
/// </list>
/// Captured connections run every phase in <see cref="ServeCapturedAsync"/>; SOCKS5 runs <see cref="ConnectAsync"/> and
/// <see cref="RelayAsync"/> with its reply in between. No failure escapes: each ends in the record.
/// </summary>
public sealed class OutboundPipeline(
    NodeOptions options,
    DestinationResolver destinations,
    PodSockets sockets,
    IConnectionTelemetry telemetry,
    ILogger<OutboundPipeline> log,
    IHboneConnector? hbone = null)
{
    private static readonly ConcurrentDictionary<string, bool> WaypointsWarned = new(StringComparer.Ordinal);

    /// <summary>Whether HBONE routes are carried over HBONE (an HBONE client is plugged in).</summary>
    public bool HboneEnabled => hbone is not null;

    /// <summary>Phases 1–6 for a connection captured on a pod's 15001. Owns <paramref name="client"/>.</summary>
    public async Task ServeCapturedAsync(CapturedPod pod, Socket client, CancellationToken cancellationToken)
    {
        // 1. Accept.
        var clientAddress = (IPEndPoint)client.RemoteEndPoint!;
        var source = destinations.LocalWorkload(pod.PodIp);

        // 2. Original destination.
        IPEndPoint original;
        try
        {
            original = SocketOptionsEx.GetOriginalDestination(client);
        }
        catch (SocketException e)
        {
            client.Dispose();
            RecordUnplanned(new OutboundRequest(source, pod.PodIp, clientAddress, (IPEndPoint)client.LocalEndPoint!, pod.Stats),
                ConnectionFailure.Error($"no original destination: {e.Message}"));
            return;
        }

        // 3.–4. Plan and connect.
        var connection = await ConnectAsync(new OutboundRequest(source, pod.PodIp, clientAddress, original, pod.Stats), cancellationToken);
        if (!connection.Succeeded)
        {
            client.Dispose();
            return;
        }

        // 5.–6. Relay and record.
        await RelayAsync(client, connection, cancellationToken);
    }

    /// <summary>
    /// Phases 3–4: plans the route and opens the upstream. The record is opened here; when planning or connecting fails it
    /// is closed with the failure and the result carries the error (SOCKS5 maps it to a reply code).
    /// </summary>
    public async Task<OutboundConnection> ConnectAsync(OutboundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // 3. Plan.
        OutboundRoute planned;
        try
        {
            planned = await destinations.ResolveAsync(request.Source, request.Original, cancellationToken);
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException or OperationCanceledException)
        {
            var failure = ConnectionFailure.ConnectFailed(cancellationToken.IsCancellationRequested
                ? "ztunnel stopping" : $"destination lookup timed out after {options.LookupTimeout.TotalSeconds:0.#} s");
            return new OutboundConnection(RecordUnplanned(request, failure), "-", null, null, e);
        }
        var route = Effective(planned, request);
        var overHbone = route.Kind == RouteKind.Hbone;
        var record = Describe(route, request, overHbone);
        var described = Describe(planned, route);
        telemetry.Opened(record);

        // 4. Connect: one timeout for the phase (HBONE: the pool's, which names what timed out; TCP: ConnectTimeout).
        try
        {
            if (route.Kind == RouteKind.NoEndpoint)
                throw new NoRouteException(route.Describe());
            if (overHbone)
            {
                var from = request.Source!;
                var hboneRequest = new HboneRequest(from.Identity, request.SourceAddress, route.Workload!.Identity,
                    route.HboneEndpoint!, route.Target!, request.Client, Baggage.For(from));
                var tunnel = await hbone!.OpenAsync(hboneRequest, cancellationToken);
                return new OutboundConnection(record, described, tunnel.End, null, null);
            }
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.ConnectTimeout);
            var socket = await sockets.ConnectAsync(request.SourceAddress, route.Target!, deadline.Token);
            return new OutboundConnection(record, described, RelayEnd.Of(socket), socket.LocalEndPoint as IPEndPoint, null);
        }
        catch (Exception e) when (e is NoRouteException or SocketException or HboneException or OperationCanceledException)
        {
            telemetry.Closed(record, 0, 0, ConnectionFailure.OfConnect(e));
            return new OutboundConnection(record, described, null, null, e);
        }
    }

    /// <summary>Phases 5–6: relays <paramref name="client"/> (downstream) to the opened upstream, then records. Owns both.</summary>
    public async Task RelayAsync(Socket client, OutboundConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var upstream = connection.Upstream ?? throw new InvalidOperationException("Nothing to relay: the connect failed.");
        var record = connection.Record;
        // 5. Relay.
        var result = await RelayPump.RunAsync(RelayEnd.Of(client), upstream, record.Bytes, cancellationToken);
        // 6. Record.
        telemetry.Closed(record, result.BytesUp, result.BytesDown, ConnectionFailure.OfRelay(result));
    }

    /// <summary>Closes an opened upstream that will not be relayed (e.g. the SOCKS5 client left before the reply).</summary>
    public void Abandon(OutboundConnection connection, string reason)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Upstream is { } upstream)
            upstream.Abort();
        telemetry.Closed(connection.Record, 0, 0, ConnectionFailure.Error(reason));
    }

    /// <summary>
    /// The route actually taken: until waypoints are built, a waypoint route takes its fallback (logged once per
    /// waypoint); without an HBONE client, or without a source identity, an HBONE route is carried as plain TCP.
    /// </summary>
    private OutboundRoute Effective(OutboundRoute route, OutboundRequest request)
    {
        if (route.Kind == RouteKind.Waypoint)
        {
            var waypoint = route.Waypoint!;
            if (WaypointsWarned.TryAdd($"{waypoint.Namespace}/{waypoint.Name}", true))
                log.LogWarning("waypoint {Namespace}/{Name} ({Hostname}) is not supported yet: its traffic bypasses it ({Route})",
                    waypoint.Namespace, waypoint.Name, waypoint.Hostname, route.Fallback?.Describe());
            route = route.Fallback ?? OutboundRoute.Passthrough(route.Target!);
        }
        if (route.Kind == RouteKind.Hbone && (hbone is null || request.Source is null))
            route = route with { Kind = RouteKind.PlainTcp, Note = hbone is null ? "no HBONE client on this node" : "no source identity" };
        return route;
    }

    private static string Describe(OutboundRoute planned, OutboundRoute taken) => planned.Kind == RouteKind.Waypoint
        ? $"{taken.Describe()} (bypassing waypoint {planned.Waypoint!.Namespace}/{planned.Waypoint.Name}: not supported yet)"
        : taken.Describe();

    /// <summary>The record of a connection whose route is known (telemetry labels come from it).</summary>
    private static ConnectionRecord Describe(OutboundRoute taken, OutboundRequest request, bool overHbone) => new()
    {
        Direction = ConnectionDirection.Outbound,
        Protocol = overHbone ? ConnectionProtocol.Hbone : ConnectionProtocol.Tcp,
        SourceAddress = request.Client,
        SourceWorkload = request.Source,
        SourceIdentity = request.Source?.Identity,
        DestinationAddress = (overHbone ? taken.HboneEndpoint : taken.Target) ?? request.Original,
        DestinationHboneAddress = overHbone ? taken.Target : null,
        OriginalDestination = request.Original,
        DestinationService = taken.Service,
        DestinationWorkload = taken.Workload,
        SecurityPolicy = overHbone ? ConnectionSecurityPolicy.MutualTls : ConnectionSecurityPolicy.Unknown,
        Counters = request.Counters,
    };

    /// <summary>A connection that failed before it had a route: recorded (opened and closed) with what is known.</summary>
    private ConnectionRecord RecordUnplanned(OutboundRequest request, ConnectionFailure failure)
    {
        var record = new ConnectionRecord
        {
            Direction = ConnectionDirection.Outbound,
            SourceAddress = request.Client,
            SourceWorkload = request.Source,
            SourceIdentity = request.Source?.Identity,
            DestinationAddress = request.Original,
            OriginalDestination = request.Original,
            Counters = request.Counters,
        };
        telemetry.Closed(record, 0, 0, failure);
        return record;
    }
}

/// <summary>A route has nowhere to go (a service with no healthy endpoint).</summary>
public sealed class NoRouteException(string message) : Exception(message);
