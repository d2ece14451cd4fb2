using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Server;
using Mesh.Hbone.Sockets;
using Mesh.Hbone.Tls;
using Mesh.Node.Capture;
using Mesh.Node.Dns;
using Mesh.Node.Telemetry;
using Mesh.Node.Telemetry.Metrics;
using Mesh.Protocol.Zds;

namespace Mesh.Node.Workloads;

/// <summary>
/// The ztunnel's presence inside one enrolled pod — its lifecycle, nothing of the data path: listeners opened in the
/// pod's network namespace (15001 outbound, 15006 inbound plaintext, 15008 inbound HBONE when certificates are plugged
/// in, 15053 DNS), the pod's capture rules, and the accept loops that hand each connection to
/// <see cref="Proxy.Outbound.OutboundPipeline"/> or <see cref="Proxy.Inbound.InboundPipeline"/>. Owned by
/// <see cref="WorkloadManager"/>.
/// </summary>
public sealed class CapturedPod : IHboneStreamHandler, IAsyncDisposable
{
    private readonly PodDataPlane _plane;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly InPodRules _rules = new();
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
    }

    public ZdsPod Pod { get; }
    public IPAddress PodIp { get; }
    public string Name => $"{Pod.Namespace}/{Pod.Name}";

    /// <summary>This pod's connection counters (kept by telemetry from each connection's record).</summary>
    public ConnectionStats Stats { get; } = new();

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
        var any = PodIp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        // Outbound: redirected traffic arrives with any destination; listen on all addresses of the pod netns.
        var outbound = await ListenAsync(new IPEndPoint(any, options.OutboundPort));
        Accept(outbound, $"pod {Name} outbound :{options.OutboundPort}", s => _plane.Outbound.ServeCapturedAsync(this, s, _stop.Token));
        var inbound = await ListenAsync(new IPEndPoint(any, options.InboundPlaintextPort));
        Accept(inbound, $"pod {Name} inbound plaintext :{options.InboundPlaintextPort}",
            s => _plane.Inbound.ServePlaintextAsync(this, s, _stop.Token));
        if (_plane.Certificates is not null)
        {
            // Not redirected by the capture rules: HBONE arrives addressed to podIP:15008 and is served right here.
            var hbone = await ListenAsync(new IPEndPoint(PodIp, options.InboundHbonePort));
            var server = new HboneServer(options.Hbone, ServerCertificateAsync, this, _log, _plane.AcceptFailures);
            _loops.Add(ServeHboneAsync(server, hbone));
            ServesHbone = true;
        }
        _dns = new DnsProxy(_plane.MeshNames ?? NoMeshNames.Instance, Pod.Namespace, UpstreamResolvers.FromResolvConf(),
            options.ConnectTimeout, log: _log, acceptFailures: _plane.AcceptFailures);
        await _dns.StartAsync(_sockets, options.DnsPort);
        _dnsStats = _plane.TelemetrySources?.Dns.Register(_dns);
        await _rules.ApplyAsync(Pod.Netns);
        _rulesApplied = true;
        _plane.Sockets.Register(PodIp, _sockets);
        _log.LogInformation("capturing pod {Pod} ({Ip}) in {Netns}: outbound :{Out}, inbound plaintext :{In}, inbound hbone {Hbone}, dns :{Dns}",
            Name, Pod.Ip, Pod.Netns, options.OutboundPort, options.InboundPlaintextPort,
            ServesHbone ? $":{options.InboundHbonePort}" : "off", options.DnsPort);
    }

    /// <summary>Each CONNECT on this pod's 15008 goes to the inbound pipeline.</summary>
    public Task ServeAsync(HboneInboundStream stream) => _plane.Inbound.ServeHboneAsync(this, stream);

    private async Task<Socket> ListenAsync(IPEndPoint endpoint)
    {
        var listener = await _sockets!.ListenAsync(endpoint, 512, null);
        _listeners.Add(listener);
        return listener;
    }

    private void Accept(Socket listener, string name, Func<Socket, Task> serve) =>
        _loops.Add(AcceptLoop.RunAsync(listener, name, serve, _log, _plane.AcceptFailures, _stop.Token));

    private async Task ServeHboneAsync(HboneServer server, Socket listener)
    {
        try
        {
            await using (server)
                await server.RunAsync(listener, _stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception e) { _log.LogError(e, "HBONE server of pod {Pod} stopped", Name); }
    }

    /// <summary>This pod's SVID, looked up per handshake (the pod's workload may appear in the state after enrolment).</summary>
    private async ValueTask<WorkloadCertificate> ServerCertificateAsync(CancellationToken ct)
    {
        var workload = _plane.Store.View.WorkloadsByAddress.GetValueOrDefault(PodIp.ToString())
            ?? throw new InvalidOperationException($"pod {Name} ({PodIp}) is not in this node's mesh state yet");
        return await _plane.Certificates!.GetAsync(workload.Identity, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sockets is not null) _plane.Sockets.Unregister(PodIp, _sockets);
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
