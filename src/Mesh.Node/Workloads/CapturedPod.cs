using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Node.Capture;
using Mesh.Node.Dns;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy;
using Mesh.Protocol.Zds;

namespace Mesh.Node.Workloads;

/// <summary>
/// The ztunnel's presence inside one enrolled pod: listeners opened in the pod's network namespace
/// (15001 outbound, 15006 inbound plaintext) and the connections accepted on them. Bytes move on async pumps with
/// pooled buffers; this class only accepts, resolves, connects and logs. Owned by <see cref="WorkloadManager"/>.
/// </summary>
public sealed class CapturedPod : IAsyncDisposable
{
    private readonly NodeOptions _options;
    private readonly DestinationResolver _resolver;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly InPodRules _rules = new();
    private NetnsSocketFactory? _sockets;
    private readonly IMeshNameResolver _meshNames;
    private DnsProxy? _dns;
    private bool _rulesApplied;

    public CapturedPod(ZdsPod pod, NodeOptions options, DestinationResolver resolver, ILogger log, IMeshNameResolver? meshNames = null)
    {
        // Until mesh state backs DNS, the proxy forwards every query (as the old forwarder did).
        _meshNames = meshNames ?? NoMeshNames.Instance;
        Pod = pod;
        _options = options;
        _resolver = resolver;
        _log = log;
        PodIp = IPAddress.Parse(pod.Ip);
    }

    public ZdsPod Pod { get; }
    public IPAddress PodIp { get; }
    public ConnectionStats Stats { get; } = new();
    public string Name => $"{Pod.Namespace}/{Pod.Name}";

    /// <summary>
    /// Opens the listeners inside the pod's netns, then programs the pod's capture rules (listeners first, so
    /// redirected traffic never meets a closed port). Throws with a clear reason if either fails.
    /// </summary>
    public async Task StartAsync()
    {
        _sockets = NetnsSocketFactory.Open(Pod.Netns);
        var family = PodIp.AddressFamily;
        var any = family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        // Outbound: redirected traffic arrives with any destination; listen on all addresses of the pod netns.
        var outbound = await _sockets.ListenAsync(new IPEndPoint(any, _options.OutboundPort), 512, null);
        _listeners.Add(outbound);
        var inbound = await _sockets.ListenAsync(new IPEndPoint(any, _options.InboundPlaintextPort), 512, null);
        _listeners.Add(inbound);
        _loops.Add(AcceptLoopAsync(outbound, HandleOutboundAsync));
        _loops.Add(AcceptLoopAsync(inbound, HandleInboundPlaintextAsync));
        _dns = new DnsProxy(_meshNames, Pod.Namespace, UpstreamResolvers.FromResolvConf(), _options.ConnectTimeout);
        await _dns.StartAsync(_sockets, _options.DnsPort);
        await _rules.ApplyAsync(Pod.Netns);
        _rulesApplied = true;
        _log.LogInformation("capturing pod {Pod} ({Ip}) in {Netns}: outbound :{Out}, inbound plaintext :{In}, dns :{Dns}",
            Name, Pod.Ip, Pod.Netns, _options.OutboundPort, _options.InboundPlaintextPort, _options.DnsPort);
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

    private async Task HandleOutboundAsync(Socket client)
    {
        var started = Stopwatch.GetTimestamp();
        Stats.Opened(Direction.Outbound);
        var source = (IPEndPoint)client.RemoteEndPoint!;
        IPEndPoint original;
        try { original = SocketOptionsEx.GetOriginalDestination(client); }
        catch (SocketException e)
        {
            Finish(Direction.Outbound, source, null, null, 0, 0, started, $"no original destination: {e.Message}");
            client.Dispose();
            return;
        }

        ResolvedDestination destination;
        try { destination = await _resolver.ResolveAsync(original, _stop.Token); }
        catch (Exception e) when (e is TimeoutException or Akka.Actor.AskTimeoutException or OperationCanceledException)
        {
            Finish(Direction.Outbound, source, original, null, 0, 0, started, "destination lookup timed out");
            client.Dispose();
            return;
        }
        if (destination.Target is null)
        {
            Finish(Direction.Outbound, source, original, destination, 0, 0, started, destination.Describe());
            client.Dispose();
            return;
        }

        // The upstream socket is born in the source pod's netns (the peer sees the pod's IP) and carries the
        // ztunnel mark so the pod's own capture rules let it out.
        await RelayAsync(Direction.Outbound, client, source, original, destination, destination.Target, bindSource: null, started);
    }

    private async Task HandleInboundPlaintextAsync(Socket client)
    {
        var started = Stopwatch.GetTimestamp();
        Stats.Opened(Direction.Inbound);
        var source = (IPEndPoint)client.RemoteEndPoint!;
        IPEndPoint original;
        try { original = SocketOptionsEx.GetOriginalDestination(client); }
        catch (SocketException e)
        {
            Finish(Direction.Inbound, source, null, null, 0, 0, started, $"no original destination: {e.Message}");
            client.Dispose();
            return;
        }
        if (!original.Address.Equals(PodIp))
        {
            Finish(Direction.Inbound, source, original, null, 0, 0, started, $"destination {original.Address} is not this pod");
            client.Dispose();
            return;
        }
        // To the app with the client's own source address (IP_TRANSPARENT), as Istio does.
        await RelayAsync(Direction.Inbound, client, source, original, null, original, bindSource: source.Address, started);
    }

    private async Task RelayAsync(Direction direction, Socket client, IPEndPoint source, IPEndPoint original,
        ResolvedDestination? destination, IPEndPoint target, IPAddress? bindSource, long started)
    {
        Socket? upstream = null;
        try
        {
            upstream = await _sockets!.CreateTcpAsync(target.AddressFamily);
            SocketOptionsEx.SetMark(upstream, SocketOptionsEx.ZtunnelMark);
            if (bindSource is not null)
            {
                SocketOptionsEx.SetTransparent(upstream);
                upstream.Bind(new IPEndPoint(bindSource, 0));
            }
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                connectTimeout.CancelAfter(_options.ConnectTimeout);
                await upstream.ConnectAsync(target, connectTimeout.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            var reason = e is OperationCanceledException ? "connect timed out" : $"connect failed: {((SocketException)e).SocketErrorCode}";
            Finish(direction, source, original, destination, 0, 0, started, $"{target} {reason}");
            upstream?.Dispose();
            client.Dispose();
            return;
        }

        var result = await TcpRelay.RunAsync(client, upstream, _stop.Token);
        client.Dispose();
        upstream.Dispose();
        // From the pod's view: outbound, the pod is the client; inbound, the pod is the upstream app.
        var (sent, received) = direction == Direction.Outbound
            ? (result.BytesUp, result.BytesDown)
            : (result.BytesDown, result.BytesUp);
        var error = result.Outcome switch
        {
            RelayOutcome.Failed => $"{result.ErrorSide.ToString().ToLowerInvariant()} failed: {result.Error?.Message}",
            RelayOutcome.Cancelled => "closed by the ztunnel",
            _ => null,
        };
        Finish(direction, source, original, destination, sent, received, started, error);
    }

    private void Finish(Direction direction, IPEndPoint source, IPEndPoint? original, ResolvedDestination? destination,
        long sent, long received, long started, string? error)
    {
        Stats.Closed(direction, sent, received, error is not null);
        var duration = Stopwatch.GetElapsedTime(started);
        _log.LogInformation(
            "connection complete pod={Pod} direction={Direction} src={Src} dst={Dst} target={Target} bytes_sent={Sent} bytes_recv={Recv} duration={Duration}ms{Error}",
            Name, direction.ToString().ToLowerInvariant(), source, original?.ToString() ?? "-",
            destination?.Describe() ?? "-", sent, received, (long)duration.TotalMilliseconds, error is null ? "" : $" error=\"{error}\"");
    }

    public async ValueTask DisposeAsync()
    {
        // Rules first, so the pod's traffic flows directly again before the listeners go away.
        if (_rulesApplied && File.Exists(Pod.Netns))
        {
            try { await _rules.RemoveAsync(Pod.Netns); }
            catch (CaptureCommandException e) { _log.LogWarning("removing capture rules of {Pod}: {Error}", Name, e.Message); }
        }
        await _stop.CancelAsync();
        foreach (var listener in _listeners) listener.Dispose();
        await Task.WhenAll(_loops);
        if (_dns is not null) await _dns.DisposeAsync();
        _sockets?.Dispose();
        _stop.Dispose();
        _log.LogInformation("stopped capturing pod {Pod}", Name);
    }
}
