using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Mesh.Node.Authz;
using Mesh.Node.Hbone;
using Mesh.Node.Proxy;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Node.Workloads;

/// <summary>
/// What one captured pod's HBONE server (podIP:15008) does with a CONNECT: the <c>:authority</c> must be an address of a
/// workload this node serves and of this very pod (else 400); L4 policy decides with the peer's verified identity (401
/// naming the policy); then a connection to the app from the pod's netns carrying the client's IP (else 503). An
/// admitted stream stays tracked by <see cref="InboundEnforcement"/> until it ends: if the state changes to deny it,
/// its app socket is reset, which resets this stream only. One log line, the pod's counters and telemetry per request.
/// </summary>
/// <param name="connectApp">Opens the connection to the app: (client IP to appear as, app endpoint) → connected socket.</param>
public sealed class InboundHboneHandler(
    string pod,
    IPAddress podIp,
    NodeViewStore store,
    InboundEnforcement enforcement,
    ConnectionStats stats,
    Func<IPAddress, IPEndPoint, CancellationToken, Task<Socket>> connectApp,
    TimeSpan connectTimeout,
    ILogger log,
    IConnectionTelemetry? telemetry = null,
    Func<IPAddress, CancellationToken, ValueTask<Workload?>>? remoteWorkload = null) : IHboneInboundHandler
{
    private readonly IConnectionTelemetry _telemetry = telemetry ?? NoConnectionTelemetry.Instance;
    private readonly ConditionalWeakTable<HboneInboundRequest, Admitted> _requests = new();

    /// <summary>What a request carries from <see cref="AdmitAsync"/> to <see cref="Completed"/>.</summary>
    private sealed class Admitted(ConnectionRecord record)
    {
        public long Started { get; } = Stopwatch.GetTimestamp();
        public ConnectionRecord Record { get; } = record;
        public InboundConnection? Tracked { get; set; }
    }

    public async ValueTask<HboneAdmission> AdmitAsync(HboneInboundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        stats.Opened(Direction.Inbound, TrafficProtocol.Hbone);
        var target = new IPEndPoint(Normalize(request.Target.Address), request.Target.Port);
        var client = ClientAddress(request);
        var destination = Destination(target, enforcement.Authorizer.Current.View, out var problem);
        // The source pod usually runs on another node: ask the mesh state once (cached after), for telemetry labels.
        var sourceWorkload = store.WorkloadAt(client)
            ?? (remoteWorkload is null ? null : await remoteWorkload(client, cancellationToken).ConfigureAwait(false));
        var admitted = new Admitted(new ConnectionRecord
        {
            Direction = ConnectionDirection.Inbound,
            Protocol = ConnectionProtocol.Hbone,
            SourceAddress = new IPEndPoint(client, request.Remote.Port),
            SourceWorkload = sourceWorkload,
            SourceIdentity = request.Peer,
            DestinationAddress = target,
            DestinationHboneAddress = target,
            DestinationWorkload = destination,
            DestinationService = destination is null ? null : ServiceOf(destination, target.Port, enforcement.Authorizer.Current.View),
            SecurityPolicy = ConnectionSecurityPolicy.MutualTls,
        });
        _requests.AddOrUpdate(request, admitted);
        _telemetry.Opened(admitted.Record);

        if (destination is null)
            return HboneAdmission.BadRequest(problem);
        var tracked = enforcement.Admit(pod, new AuthorizationRequest(request.Peer, client, target.Address, target.Port),
            destination, admitted.Record, out var decision);
        if (tracked is null)
            return HboneAdmission.Denied(decision.ToString());

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tracked.Cut);
        timeout.CancelAfter(connectTimeout);
        try
        {
            var app = await connectApp(client, target, timeout.Token).ConfigureAwait(false);
            admitted.Tracked = tracked;
            tracked.AbortOnCut(app); // runs at once if policy closed it while connecting
            return HboneAdmission.Accept(app);
        }
        catch (SocketException e)
        {
            tracked.Dispose();
            return HboneAdmission.Unavailable($"app {target}: {e.SocketErrorCode}");
        }
        catch (OperationCanceledException)
        {
            var closedBy = tracked.ClosedBy;
            tracked.Dispose();
            if (closedBy is not null) return HboneAdmission.Denied(closedBy);
            return HboneAdmission.Unavailable(cancellationToken.IsCancellationRequested ? "ztunnel stopping" : $"app {target}: connect timed out");
        }
    }

    /// <summary>
    /// The client address the app sees and policy matches. The HBONE connection comes from the source pod's netns, so
    /// its peer address is the client's IP; <c>forwarded: for=</c> is only to be trusted from a waypoint (as ztunnel
    /// does), which is not built yet, so it is logged but not used.
    /// </summary>
    private static IPAddress ClientAddress(HboneInboundRequest request) => Normalize(request.Remote.Address);

    /// <summary>This pod's workload if the authority names it; else null with the reason.</summary>
    private Workload? Destination(IPEndPoint authority, State.NodeView view, out string problem)
    {
        if (!view.WorkloadsByAddress.TryGetValue(authority.Address.ToString(), out var workload) || workload.Node != store.Node)
        {
            problem = $"authority {authority} is not a workload on this node";
            return null;
        }
        if (!authority.Address.Equals(podIp))
        {
            problem = $"authority {authority} is {workload.Namespace}/{workload.Name}, not this pod ({podIp})";
            return null;
        }
        problem = "";
        return workload;
    }

    public void Completed(HboneInboundRequest request, HboneAdmission admission, RelayResult? result)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(admission);
        _requests.TryGetValue(request, out var admitted);
        _requests.Remove(request);
        var duration = admitted is not null ? Stopwatch.GetElapsedTime(admitted.Started) : result?.Duration ?? TimeSpan.Zero;
        var closedBy = admitted?.Tracked?.ClosedBy;
        admitted?.Tracked?.Dispose();

        // The server relays with the tunnel downstream (it opened the connection): up = peer → app = what the source sent.
        var (fromPeer, toPeer) = result is null ? (0L, 0L) : (result.BytesUp, result.BytesDown);
        var failure = Failure(admission, result, closedBy);
        if (admitted is not null) _telemetry.Closed(admitted.Record, fromPeer, toPeer, failure);
        stats.Closed(Direction.Inbound, toPeer, fromPeer, failure is not null, TrafficProtocol.Hbone);
        log.LogInformation(
            "connection complete pod={Pod} direction=inbound protocol=hbone src.identity={Identity} src.addr={Src} forwarded={Forwarded} dst.addr={Dst} bytes_sent={Sent} bytes_recv={Recv} duration={Duration}ms{Error}",
            pod, request.Peer, request.Remote, request.ForwardedFor?.ToString() ?? "-", request.Target, toPeer, fromPeer,
            (long)duration.TotalMilliseconds, failure is null ? "" : $" error=\"{failure.Message}\"");
    }

    /// <summary>401 → DENY, 400/503 → CONNECT; a relay cut by a policy re-check → DENY; other relay failures → error.</summary>
    private static ConnectionFailure? Failure(HboneAdmission admission, RelayResult? result, string? closedBy)
    {
        if (admission.Status == 401) return ConnectionFailure.Denied($"401 {admission.Reason}");
        if (admission.Status != 200) return ConnectionFailure.ConnectFailed($"{admission.Status} {admission.Reason}");
        if (closedBy is not null) return ConnectionFailure.Denied($"closed by policy re-check: {closedBy}");
        return result?.Outcome switch
        {
            RelayOutcome.Failed => ConnectionFailure.Error($"{result.ErrorSide.ToString().ToLowerInvariant()} failed: {result.Error?.Message}"),
            RelayOutcome.Cancelled => ConnectionFailure.Error("closed by the ztunnel"),
            _ => null,
        };
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>
    /// The service the request most likely came through: the CONNECT names the pod (podIP:targetPort), so the client's
    /// service is not on the wire; when exactly one of the pod's services targets this port, that one (else unknown).
    /// </summary>
    private static Service? ServiceOf(Workload destination, int targetPort, NodeView view)
    {
        Service? found = null;
        foreach (var binding in destination.Services)
        {
            if (!binding.Ports.Any(p => p.TargetPort == targetPort) || !view.ServicesByKey.TryGetValue(binding.ServiceKey, out var service))
                continue;
            if (found is not null) return null; // ambiguous
            found = service;
        }
        return found;
    }
}
