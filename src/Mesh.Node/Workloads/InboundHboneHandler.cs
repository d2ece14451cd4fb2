using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Mesh.Node.Hbone;
using Mesh.Node.Proxy;
using Mesh.Node.State;
using Mesh.Protocol.Model;

namespace Mesh.Node.Workloads;

/// <summary>
/// What one captured pod's HBONE server (podIP:15008) does with a CONNECT: the <c>:authority</c> must be an address of a
/// workload this node serves and of this very pod (else 400); policy decides (401 — <see cref="Authorize"/>, allow-all
/// until L4 authorization lands); then a connection to the app from the pod's netns carrying the client's IP (else
/// 503). One log line and the pod's inbound-HBONE counters per request.
/// </summary>
/// <param name="connectApp">Opens the connection to the app: (client IP to appear as, app endpoint) → connected socket.</param>
public sealed class InboundHboneHandler(
    string pod,
    IPAddress podIp,
    NodeViewStore store,
    ConnectionStats stats,
    Func<IPAddress, IPEndPoint, CancellationToken, Task<Socket>> connectApp,
    TimeSpan connectTimeout,
    ILogger log) : IHboneInboundHandler
{
    private readonly ConditionalWeakTable<HboneInboundRequest, StrongBox<long>> _started = new();

    public async ValueTask<HboneAdmission> AdmitAsync(HboneInboundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _started.AddOrUpdate(request, new StrongBox<long>(Stopwatch.GetTimestamp()));
        stats.Opened(Direction.Inbound, TrafficProtocol.Hbone);

        if (Destination(request.Target, out var problem) is not { } destination)
            return HboneAdmission.BadRequest(problem);
        if (Authorize(request, destination) is { } denied)
            return HboneAdmission.Denied(denied);

        var target = new IPEndPoint(Normalize(request.Target.Address), request.Target.Port);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        try
        {
            return HboneAdmission.Accept(await connectApp(ClientAddress(request), target, timeout.Token).ConfigureAwait(false));
        }
        catch (SocketException e)
        {
            return HboneAdmission.Unavailable($"app {target}: {e.SocketErrorCode}");
        }
        catch (OperationCanceledException)
        {
            return HboneAdmission.Unavailable(cancellationToken.IsCancellationRequested ? "ztunnel stopping" : $"app {target}: connect timed out");
        }
    }

    /// <summary>
    /// The policy seam: null allows, a reason denies (401). Allows everything for now; L4 authorization (DESIGN.md §3/§4:
    /// only the waypoint's identity when the workload has one, else the workload's AuthorizationPolicies) goes here.
    /// </summary>
    private static string? Authorize(HboneInboundRequest request, Workload destination) => null;

    /// <summary>
    /// The client address the app sees. The HBONE connection comes from the source pod's netns, so its peer address is
    /// the client's IP; <c>forwarded: for=</c> is only to be trusted from a waypoint (as ztunnel does), which is not
    /// built yet, so it is logged but not used.
    /// </summary>
    private static IPAddress ClientAddress(HboneInboundRequest request) => Normalize(request.Remote.Address);

    /// <summary>This pod's workload if the authority names it; else null with the reason.</summary>
    private Workload? Destination(IPEndPoint authority, out string problem)
    {
        var address = Normalize(authority.Address);
        if (!store.View.WorkloadsByAddress.TryGetValue(address.ToString(), out var workload) || workload.Node != store.Node)
        {
            problem = $"authority {authority} is not a workload on this node";
            return null;
        }
        if (!address.Equals(podIp))
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
        var duration = _started.TryGetValue(request, out var started) ? Stopwatch.GetElapsedTime(started.Value) : result?.Duration ?? TimeSpan.Zero;
        _started.Remove(request);
        // The server relays with the tunnel downstream (Http2Stream.RelayAsync, tunnelIsDownstream: true): up = peer → app
        // = what the pod received, down = app → peer = what the pod sent.
        var (sent, received) = result is null ? (0L, 0L) : (result.BytesDown, result.BytesUp);
        var error = admission.Status != 200 ? $"{admission.Status} {admission.Reason}"
            : result?.Outcome switch
            {
                RelayOutcome.Failed => $"{result.ErrorSide.ToString().ToLowerInvariant()} failed: {result.Error?.Message}",
                RelayOutcome.Cancelled => "closed by the ztunnel",
                _ => null,
            };
        stats.Closed(Direction.Inbound, sent, received, error is not null, TrafficProtocol.Hbone);
        log.LogInformation(
            "connection complete pod={Pod} direction=inbound protocol=hbone src.identity={Identity} src.addr={Src} forwarded={Forwarded} dst.addr={Dst} bytes_sent={Sent} bytes_recv={Recv} duration={Duration}ms{Error}",
            pod, request.Peer, request.Remote, request.ForwardedFor?.ToString() ?? "-", request.Target, sent, received,
            (long)duration.TotalMilliseconds, error is null ? "" : $" error=\"{error}\"");
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
