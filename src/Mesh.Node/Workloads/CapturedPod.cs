using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Node.Authz;
using Mesh.Node.Capture;
using Mesh.Node.Dns;
using Mesh.Node.Hbone;
using Mesh.Node.Identity;
using Mesh.Node.Proxy;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Telemetry.Metrics;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Zds;

namespace Mesh.Node.Workloads;

/// <summary>
/// The ztunnel's presence inside one enrolled pod: listeners opened in the pod's network namespace (15001 outbound,
/// 15006 inbound plaintext, 15008 inbound HBONE when an HBONE server is plugged in, 15053 DNS) and the connections
/// accepted on them. Bytes move on async pumps; this class only accepts, resolves, authorizes (inbound), connects, logs
/// and reports to telemetry. Owned by <see cref="WorkloadManager"/>.
/// </summary>
public sealed class CapturedPod : IAsyncDisposable
{
    private readonly PodDataPlane _plane;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly InPodRules _rules = new();
    private readonly OutboundConnector _outbound;
    private NetnsSocketFactory? _sockets;
    private DnsProxy? _dns;
    private IDisposable? _dnsStats;
    private bool _rulesApplied;

    public CapturedPod(ZdsPod pod, PodDataPlane plane)
    {
        Pod = pod;
        _plane = plane;
        _log = plane.Loggers.CreateLogger<CapturedPod>();
        PodIp = IPAddress.Parse(pod.Ip);
        _outbound = new OutboundConnector(plane.Hbone, (target, ct) => ConnectFromPodAsync(target, null, ct), _log, plane.Connections);
    }

    public ZdsPod Pod { get; }
    public IPAddress PodIp { get; }
    public ConnectionStats Stats { get; } = new();
    public string Name => $"{Pod.Namespace}/{Pod.Name}";

    /// <summary>Whether this pod accepts HBONE on 15008.</summary>
    public bool ServesHbone { get; private set; }

    /// <summary>
    /// Opens the listeners inside the pod's netns, then programs the pod's capture rules (listeners first, so
    /// redirected traffic never meets a closed port). Throws with a clear reason if either fails.
    /// </summary>
    public async Task StartAsync()
    {
        var options = _plane.Options;
        _sockets = NetnsSocketFactory.Open(Pod.Netns);
        var family = PodIp.AddressFamily;
        var any = family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        // Outbound: redirected traffic arrives with any destination; listen on all addresses of the pod netns.
        var outbound = await _sockets.ListenAsync(new IPEndPoint(any, options.OutboundPort), 512, null);
        _listeners.Add(outbound);
        var inbound = await _sockets.ListenAsync(new IPEndPoint(any, options.InboundPlaintextPort), 512, null);
        _listeners.Add(inbound);
        _loops.Add(AcceptLoopAsync(outbound, HandleOutboundAsync));
        _loops.Add(AcceptLoopAsync(inbound, HandleInboundPlaintextAsync));
        if (_plane.HboneServer is { } server && _plane.Certificates is not null)
        {
            // Not redirected by the capture rules: HBONE arrives addressed to podIP:15008 and is served right here.
            var hbone = await _sockets.ListenAsync(new IPEndPoint(PodIp, options.InboundHbonePort), 512, null);
            _listeners.Add(hbone);
            var handler = new InboundHboneHandler(Name, PodIp, _plane.Store, _plane.Inbound, Stats,
                (client, app, ct) => ConnectFromPodAsync(app, client, ct), options.ConnectTimeout, _log, _plane.Connections,
                (client, ct) => _plane.Resolver.WorkloadAtAsync(client, TimeSpan.FromMilliseconds(500), ct));
            _loops.Add(ServeHboneAsync(server, hbone, handler));
            ServesHbone = true;
        }
        _dns = new DnsProxy(_plane.MeshNames ?? NoMeshNames.Instance, Pod.Namespace, UpstreamResolvers.FromResolvConf(), options.ConnectTimeout);
        await _dns.StartAsync(_sockets, options.DnsPort);
        _dnsStats = _plane.TelemetrySources?.Dns.Register(_dns);
        await _rules.ApplyAsync(Pod.Netns);
        _rulesApplied = true;
        _plane.Sockets?.Register(PodIp, _sockets);
        _log.LogInformation("capturing pod {Pod} ({Ip}) in {Netns}: outbound :{Out}, inbound plaintext :{In}, inbound hbone {Hbone}, dns :{Dns}",
            Name, Pod.Ip, Pod.Netns, options.OutboundPort, options.InboundPlaintextPort,
            ServesHbone ? $":{options.InboundHbonePort}" : "off", options.DnsPort);
    }

    private async Task AcceptLoopAsync(Socket listener, Func<Socket, Task> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try { accepted = await listener.AcceptAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                _log.LogWarning("accept failed in pod {Pod}: {Error}", Name, e.Message);
                continue;
            }
            _ = Task.Run(() => handle(accepted));
        }
    }

    private async Task ServeHboneAsync(IHboneListenerFactory server, Socket listener, InboundHboneHandler handler)
    {
        try { await server.RunAsync(listener, ServerCertificateAsync, handler, _stop.Token); }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception e) { _log.LogError(e, "HBONE server of pod {Pod} stopped", Name); }
    }

    /// <summary>This pod's SVID, looked up per handshake (the pod's workload may appear in the state after enrolment).</summary>
    private async ValueTask<WorkloadCertificate> ServerCertificateAsync(CancellationToken ct)
    {
        var workload = _plane.Resolver.LocalWorkload(PodIp)
            ?? throw new InvalidOperationException($"pod {Name} ({PodIp}) is not in this node's mesh state yet");
        return await _plane.Certificates!(workload.Identity, ct);
    }

    private async Task HandleOutboundAsync(Socket client)
    {
        var started = Stopwatch.GetTimestamp();
        Stats.Opened(Direction.Outbound);
        var source = (IPEndPoint)client.RemoteEndPoint!;
        IPEndPoint original;
        try { original = SocketOptionsEx.GetOriginalDestination(client); }
        catch (SocketException e)
        {
            client.Dispose();
            Finish(Direction.Outbound, TrafficProtocol.Tcp, source, null, null, 0, 0, started, $"no original destination: {e.Message}");
            return;
        }

        var from = _plane.Resolver.LocalWorkload(PodIp);
        OutboundRoute route;
        try { route = await _plane.Resolver.ResolveAsync(from, original, _stop.Token); }
        catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException or OperationCanceledException)
        {
            client.Dispose();
            Finish(Direction.Outbound, TrafficProtocol.Tcp, source, original, null, 0, 0, started, "destination lookup timed out");
            return;
        }

        OutboundUpstream upstream;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(_plane.Options.ConnectTimeout);
            try { upstream = await _outbound.ConnectAsync(route, new OutboundSource(from, PodIp), source, timeout.Token, original); }
            catch (Exception e) when (e is NoRouteException or SocketException or HboneException or OperationCanceledException)
            {
                client.Dispose();
                Finish(Direction.Outbound, TrafficProtocol.Tcp, source, original, route.Describe(), 0, 0, started, ConnectError(e));
                return;
            }
        }

        // The client is downstream for both kinds: up = pod → destination.
        var result = await upstream.RelayAsync(client, _stop.Token);
        await upstream.DisposeAsync();
        Finish(Direction.Outbound, upstream.Protocol, source, original, upstream.Route, result.BytesUp, result.BytesDown, started, RelayError(result));
    }

    private async Task HandleInboundPlaintextAsync(Socket client)
    {
        var started = Stopwatch.GetTimestamp();
        Stats.Opened(Direction.Inbound, TrafficProtocol.Tcp);
        var source = (IPEndPoint)client.RemoteEndPoint!;
        IPEndPoint original;
        try { original = SocketOptionsEx.GetOriginalDestination(client); }
        catch (SocketException e)
        {
            client.Dispose();
            Finish(Direction.Inbound, TrafficProtocol.Tcp, source, null, null, 0, 0, started, $"no original destination: {e.Message}");
            return;
        }
        if (!original.Address.Equals(PodIp))
        {
            client.Dispose();
            Finish(Direction.Inbound, TrafficProtocol.Tcp, source, original, null, 0, 0, started, $"destination {original.Address} is not this pod");
            return;
        }

        var destination = _plane.Inbound.Authorizer.Current.View.WorkloadsByAddress.GetValueOrDefault(PodIp.ToString());
        var record = new ConnectionRecord
        {
            Direction = ConnectionDirection.Inbound,
            Protocol = ConnectionProtocol.Tcp,
            SourceAddress = source,
            SourceWorkload = _plane.Store.WorkloadAt(source.Address),
            DestinationAddress = original,
            DestinationWorkload = destination,
            SecurityPolicy = ConnectionSecurityPolicy.None,
        };
        _plane.Connections.Opened(record);
        if (destination is null)
        {
            // Fail closed: without this pod's workload there is no way to know which policies protect it.
            Reject(client, record, ConnectionFailure.ConnectFailed($"pod {Name} is not in this node's mesh state yet"), source, original, started);
            return;
        }

        // Plaintext has no identity: only policies that do not require one can allow it; STRICT PeerAuthentication refuses it.
        var request = new AuthorizationRequest(null, Unmapped(source.Address), original.Address, original.Port);
        using var tracked = _plane.Inbound.Admit(Name, request, destination, record, out var decision);
        if (tracked is null)
        {
            Reject(client, record, ConnectionFailure.Denied(decision.ToString()), source, original, started);
            return;
        }

        // Allowed: passed to the app with the client's own source address (IP_TRANSPARENT), as Istio does.
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, tracked.Cut);
        Socket app;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cut.Token))
        {
            timeout.CancelAfter(_plane.Options.ConnectTimeout);
            try { app = await ConnectFromPodAsync(original, source.Address, timeout.Token); }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                var failure = tracked.ClosedBy is { } by ? ConnectionFailure.Denied(by) : ConnectionFailure.ConnectFailed(ConnectError(e));
                Reject(client, record, failure, source, original, started);
                return;
            }
        }
        var result = await TcpRelay.RunAsync(client, app, cut.Token);
        // up = client → app = what the source sent.
        var closed = tracked.ClosedBy is { } closedBy ? ConnectionFailure.Denied($"closed by policy re-check: {closedBy}") : OutboundTelemetry.RelayFailure(result);
        _plane.Connections.Closed(record, result.BytesUp, result.BytesDown, closed);
        // The pod is the upstream here: down = app → client = what the pod sent.
        Finish(Direction.Inbound, TrafficProtocol.Tcp, source, original, "app", result.BytesDown, result.BytesUp, started, closed?.Message);
    }

    /// <summary>Refuses an inbound plaintext connection at once (RST, so the client cannot take it for an empty answer).</summary>
    private void Reject(Socket client, ConnectionRecord record, ConnectionFailure failure, IPEndPoint source, IPEndPoint original, long started)
    {
        SocketClosing.Reset(client);
        _plane.Connections.Closed(record, 0, 0, failure);
        Finish(Direction.Inbound, TrafficProtocol.Tcp, source, original, "app", 0, 0, started, failure.Message);
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>
    /// A connection born in the pod's netns (the peer sees the pod's IP) with the ztunnel mark, so the pod's own capture
    /// rules let it through; with <paramref name="bindSource"/>, bound to that address with IP_TRANSPARENT (to the app, as
    /// the client).
    /// </summary>
    private async Task<Socket> ConnectFromPodAsync(IPEndPoint target, IPAddress? bindSource, CancellationToken ct)
    {
        var socket = await _sockets!.CreateTcpAsync(target.AddressFamily);
        try
        {
            SocketOptionsEx.SetMark(socket, SocketOptionsEx.ZtunnelMark);
            if (bindSource is not null)
            {
                SocketOptionsEx.SetTransparent(socket);
                socket.Bind(new IPEndPoint(bindSource, 0));
            }
            await socket.ConnectAsync(target, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string ConnectError(Exception e) => e switch
    {
        OperationCanceledException => "connect timed out",
        SocketException s => $"connect failed: {s.SocketErrorCode}",
        HboneException { Status: { } status } h => $"hbone {status}: {h.Message}",
        _ => e.Message,
    };

    private static string? RelayError(RelayResult result) => result.Outcome switch
    {
        RelayOutcome.Failed => $"{result.ErrorSide.ToString().ToLowerInvariant()} failed: {result.Error?.Message}",
        RelayOutcome.Cancelled => "closed by the ztunnel",
        _ => null,
    };

    private void Finish(Direction direction, TrafficProtocol protocol, IPEndPoint source, IPEndPoint? original, string? route,
        long sent, long received, long started, string? error)
    {
        Stats.Closed(direction, sent, received, error is not null, protocol);
        var duration = Stopwatch.GetElapsedTime(started);
        _log.LogInformation(
            "connection complete pod={Pod} direction={Direction} src={Src} dst={Dst} target={Target} protocol={Protocol} bytes_sent={Sent} bytes_recv={Recv} duration={Duration}ms{Error}",
            Name, direction.ToString().ToLowerInvariant(), source, original?.ToString() ?? "-", route ?? "-",
            protocol.ToString().ToLowerInvariant(), sent, received, (long)duration.TotalMilliseconds, error is null ? "" : $" error=\"{error}\"");
    }

    public async ValueTask DisposeAsync()
    {
        if (_sockets is not null) _plane.Sockets?.Unregister(PodIp, _sockets);
        // Rules first, so the pod's traffic flows directly again before the listeners go away.
        if (_rulesApplied && File.Exists(Pod.Netns))
        {
            try { await _rules.RemoveAsync(Pod.Netns); }
            catch (CaptureCommandException e) { _log.LogWarning("removing capture rules of {Pod}: {Error}", Name, e.Message); }
        }
        await _stop.CancelAsync();
        foreach (var listener in _listeners) listener.Dispose();
        await Task.WhenAll(_loops);
        _dnsStats?.Dispose();
        if (_dns is not null) await _dns.DisposeAsync();
        _sockets?.Dispose();
        _stop.Dispose();
        _log.LogInformation("stopped capturing pod {Pod}", Name);
    }
}
