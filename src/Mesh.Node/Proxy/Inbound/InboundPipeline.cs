using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Relay;
using Mesh.Hbone.Server;
using Mesh.Hbone.Sockets;
using Mesh.Node.Authz;
using Mesh.Node.Capture;
using Mesh.Node.Hosting;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Workloads;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy.Inbound;

/// <summary>
/// Connections arriving for a local pod, from accept to record — the ztunnel's inbound path in one place, phase by phase
/// in the order the bytes meet them (as istio/ztunnel's <c>proxy/inbound.rs</c>). Two entries share the phases:
/// <see cref="ServeHboneAsync"/> for each CONNECT on the pod's 15008 and <see cref="ServePlaintextAsync"/> for
/// plaintext redirected to its 15006.
/// <list type="number">
/// <item><b>Verify</b>: HBONE — the TLS handshake proved the peer's SVID and the server checked the CONNECT (else 400);
/// plaintext — the original destination must be this pod, and there is no identity.</item>
/// <item><b>Find the destination</b>: the workload of this pod the request names (HBONE: the <c>:authority</c>, else
/// 400; plaintext: fail closed when the pod's workload is not known yet).</item>
/// <item><b>Authorize</b>: L4 policy of the current state (<see cref="InboundEnforcement"/>; HBONE 401, plaintext RST).
/// The connection stays tracked so a later state change that denies it closes it. Nothing here waits for telemetry.</item>
/// <item><b>Connect to the app</b>: from the pod's netns with the client's IP (IP_TRANSPARENT), within
/// <c>ConnectTimeout</c> (HBONE 503, plaintext RST).</item>
/// <item><b>Relay</b>: <see cref="RelayPump"/> between the client (downstream) and the app, cut by a policy close.</item>
/// <item><b>Record</b>: one <see cref="ConnectionRecord"/> with the bytes and the outcome. The source workload's labels
/// are looked up while the bytes already flow (a remote source may need a control-plane lookup).</item>
/// </list>
/// </summary>
public sealed class InboundPipeline(
    NodeOptions options,
    NodeViewStore store,
    DestinationResolver destinations,
    InboundEnforcement enforcement,
    PodSockets sockets,
    IConnectionTelemetry telemetry)
{
    /// <summary>How long the source's telemetry labels may take to look up (never holds back bytes or admission).</summary>
    private static readonly TimeSpan LabelLookupBudget = TimeSpan.FromMilliseconds(500);

    /// <summary>Phases 1–6 for one CONNECT on <paramref name="pod"/>'s HBONE listener.</summary>
    public async Task ServeHboneAsync(CapturedPod pod, HboneInboundStream stream)
    {
        // 1. Verify: done by the HBONE server (mTLS with a verified SVID; a classic CONNECT to a literal ip:port).
        var client = new IPEndPoint(Unmapped(stream.Remote.Address), stream.Remote.Port);
        var target = new IPEndPoint(Unmapped(stream.Target.Address), stream.Target.Port);
        var inbound = new Inbound(pod, client, target, stream.Peer, ConnectionProtocol.Hbone);
        var labels = SourceWorkloadAsync(client.Address, stream.Aborted);

        // 2. Find the destination.
        var view = enforcement.Authorizer.Current.View;
        if (FindHboneDestination(pod, target, view, out var problem) is not { } destination)
        {
            await stream.RejectAsync(400);
            await RecordRejectedAsync(inbound, labels, ConnectionFailure.ConnectFailed($"400 {problem}"));
            return;
        }
        inbound = inbound with { Destination = destination, Service = ServiceOf(destination, target.Port, view) };

        // 3. Authorize (the peer's identity, the client's IP).
        using var tracked = enforcement.Admit(pod.Name, new AuthorizationRequest(stream.Peer, client.Address, target.Address, target.Port),
            destination, out var decision);
        if (tracked is null)
        {
            await stream.RejectAsync(401);
            await RecordRejectedAsync(inbound, labels, ConnectionFailure.Denied($"401 {decision}"));
            return;
        }

        // 4. Connect to the app.
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(stream.Aborted, tracked.Cut);
        var (app, failure) = await ConnectToAppAsync(client.Address, target, tracked, cut.Token);
        if (app is null)
        {
            await stream.RejectAsync(failure!.Flags == ResponseFlags.Deny ? 401 : 503);
            await RecordRejectedAsync(inbound, labels, failure);
            return;
        }

        // 5. Relay: 200, then bytes both ways until both ends close or policy cuts it.
        RelayEnd tunnel;
        try
        {
            tunnel = await stream.AcceptAsync();
        }
        catch (IOException e)
        {
            SocketClosing.Reset(app);
            await RecordRejectedAsync(inbound, labels, ConnectionFailure.Error($"client left before the 200: {e.Message}"));
            return;
        }
        await RelayAndRecordAsync(inbound, tunnel, app, labels, tracked, cut.Token);
    }

    /// <summary>Phases 1–6 for a plaintext connection redirected to <paramref name="pod"/>'s 15006. Owns <paramref name="client"/>.</summary>
    public async Task ServePlaintextAsync(CapturedPod pod, Socket client, CancellationToken cancellationToken)
    {
        // 1. Verify: redirected to this pod (its original destination), no identity.
        var source = (IPEndPoint)client.RemoteEndPoint!;
        source = new IPEndPoint(Unmapped(source.Address), source.Port);
        var labels = SourceWorkloadAsync(source.Address, cancellationToken);
        IPEndPoint original;
        try
        {
            original = SocketOptionsEx.GetOriginalDestination(client);
        }
        catch (SocketException e)
        {
            Reset(client);
            await RecordRejectedAsync(new Inbound(pod, source, (IPEndPoint)client.LocalEndPoint!, null, ConnectionProtocol.Tcp), labels, ConnectionFailure.Error($"no original destination: {e.Message}"));
            return;
        }
        var inbound = new Inbound(pod, source, original, null, ConnectionProtocol.Tcp);
        if (!original.Address.Equals(pod.PodIp))
        {
            Reset(client);
            await RecordRejectedAsync(inbound, labels, ConnectionFailure.ConnectFailed($"destination {original.Address} is not this pod"));
            return;
        }

        // 2. Find the destination: fail closed without this pod's workload (no way to know which policies protect it).
        var view = enforcement.Authorizer.Current.View;
        if (view.WorkloadsByAddress.GetValueOrDefault(pod.PodIp.ToString()) is not { } destination)
        {
            Reset(client);
            await RecordRejectedAsync(inbound, labels, ConnectionFailure.ConnectFailed($"pod {pod.Name} is not in this node's mesh state yet"));
            return;
        }
        inbound = inbound with { Destination = destination };

        // 3. Authorize: only policies that need no identity can allow plaintext; STRICT PeerAuthentication refuses it.
        using var tracked = enforcement.Admit(pod.Name, new AuthorizationRequest(null, source.Address, original.Address, original.Port),
            destination, out var decision);
        if (tracked is null)
        {
            Reset(client);
            await RecordRejectedAsync(inbound, labels, ConnectionFailure.Denied(decision.ToString()));
            return;
        }

        // 4. Connect to the app.
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tracked.Cut);
        var (app, failure) = await ConnectToAppAsync(source.Address, original, tracked, cut.Token);
        if (app is null)
        {
            Reset(client);
            await RecordRejectedAsync(inbound, labels, failure!);
            return;
        }

        // 5.–6. Relay and record.
        await RelayAndRecordAsync(inbound, RelayEnd.Of(client), app, labels, tracked, cut.Token);
    }

    /// <summary>The pod's workload if the authority names it (HBONE 400 otherwise).</summary>
    private Workload? FindHboneDestination(CapturedPod pod, IPEndPoint authority, NodeView view, out string problem)
    {
        if (!view.WorkloadsByAddress.TryGetValue(authority.Address.ToString(), out var workload) || workload.Node != store.Node)
        {
            problem = $"authority {authority} is not a workload on this node";
            return null;
        }
        if (!authority.Address.Equals(pod.PodIp))
        {
            problem = $"authority {authority} is {workload.Namespace}/{workload.Name}, not this pod ({pod.PodIp})";
            return null;
        }
        problem = "";
        return workload;
    }

    /// <summary>Phase 4: the app's socket, or why not (a policy close while connecting → DENY; else CONNECT).</summary>
    private async Task<(Socket? App, ConnectionFailure? Failure)> ConnectToAppAsync(IPAddress client, IPEndPoint app,
        InboundConnection tracked, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ConnectTimeout);
        try
        {
            return (await sockets.ConnectAsync(app.Address, app, deadline.Token, asClient: client), null);
        }
        catch (SocketException e)
        {
            return (null, ConnectionFailure.ConnectFailed($"app {app}: {e.SocketErrorCode}"));
        }
        catch (OperationCanceledException)
        {
            if (tracked.ClosedBy is { } closedBy) return (null, ConnectionFailure.Denied(closedBy));
            return (null, ConnectionFailure.ConnectFailed(cancellationToken.IsCancellationRequested
                ? "client gone or ztunnel stopping" : $"app {app}: connect timed out after {options.ConnectTimeout.TotalSeconds:0.#} s"));
        }
    }

    /// <summary>Phases 5–6: relays (client downstream, app upstream), labels the record meanwhile, records the outcome.</summary>
    private async Task RelayAndRecordAsync(Inbound inbound, RelayEnd client, Socket app, ValueTask<Workload?> labels,
        InboundConnection tracked, CancellationToken cut)
    {
        var bytes = new RelayCounters();
        var relay = RelayPump.RunAsync(client, RelayEnd.Of(app), bytes, cut);
        var record = Describe(inbound, await LabelsAsync(labels), bytes);
        telemetry.Opened(record);
        var result = await relay;
        telemetry.Closed(record, result.BytesUp, result.BytesDown, ConnectionFailure.OfRelay(result, tracked.ClosedBy));
    }

    private async Task RecordRejectedAsync(Inbound inbound, ValueTask<Workload?> labels, ConnectionFailure failure)
    {
        // The answer has gone out already; the labels may still be on their way.
        var record = Describe(inbound, await LabelsAsync(labels), new RelayCounters());
        telemetry.Closed(record, 0, 0, failure);
    }

    /// <summary>Labels are best effort: a lookup that fails leaves the source unknown.</summary>
    private static async ValueTask<Workload?> LabelsAsync(ValueTask<Workload?> lookup)
    {
        try
        {
            return await lookup;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>
    /// The workload at the client's address, for telemetry labels only: from what the node holds at once, else asked of
    /// the control plane within <see cref="LabelLookupBudget"/> (null when unknown).
    /// </summary>
    private ValueTask<Workload?> SourceWorkloadAsync(IPAddress client, CancellationToken cancellationToken) =>
        store.WorkloadAt(client) is { } known
            ? ValueTask.FromResult<Workload?>(known)
            : destinations.WorkloadAtAsync(client, LabelLookupBudget, cancellationToken);

    private static ConnectionRecord Describe(Inbound inbound, Workload? source, RelayCounters bytes) => new()
    {
        Direction = ConnectionDirection.Inbound,
        Protocol = inbound.Protocol,
        SourceAddress = inbound.Client,
        SourceWorkload = source,
        SourceIdentity = inbound.Peer,
        DestinationAddress = inbound.Target,
        DestinationHboneAddress = inbound.Protocol == ConnectionProtocol.Hbone ? inbound.Target : null,
        DestinationWorkload = inbound.Destination,
        DestinationService = inbound.Service,
        SecurityPolicy = inbound.Protocol == ConnectionProtocol.Hbone ? ConnectionSecurityPolicy.MutualTls : ConnectionSecurityPolicy.None,
        Counters = inbound.Pod.Stats,
        Bytes = bytes,
    };

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

    /// <summary>Refuses a plaintext connection at once: RST, so the client cannot take it for an empty answer.</summary>
    private static void Reset(Socket client) => SocketClosing.Reset(client);

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>What is known about an inbound connection as it goes through the phases.</summary>
    private sealed record Inbound(CapturedPod Pod, IPEndPoint Client, IPEndPoint Target, SpiffeId? Peer, ConnectionProtocol Protocol)
    {
        public Workload? Destination { get; init; }
        public Service? Service { get; init; }
    }
}
