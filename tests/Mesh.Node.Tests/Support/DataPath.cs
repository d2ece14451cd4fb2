using System.Net;
using System.Net.Sockets;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Server;
using Mesh.Hbone.Tls;
using Mesh.Node.Authz;
using Mesh.Node.Capture;
using Mesh.Node.Dns;
using Mesh.Node.Hosting;
using Mesh.Node.Identity;
using Mesh.Node.Proxy;
using Mesh.Node.Proxy.Inbound;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Telemetry;
using Mesh.Node.Workloads;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;
using Mesh.Testing;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Tests;

/// <summary>
/// One ztunnel's data path as <c>ZtunnelHosting</c> composes it — node view, certificate store with real SVIDs from
/// the test CA, pod sockets, the real HBONE client pool, both pipelines and the pods' shared plane — without the Akka
/// cluster (<see cref="KnownAddresses"/> answers the address lookups) and with a <see cref="RecordingTelemetry"/> (or
/// the node's real telemetry) to observe every connection record.
/// </summary>
internal sealed class DataPath : IAsyncDisposable
{
    public DataPath(NodeOptions? options = null, IConnectionTelemetry? telemetry = null, bool hbone = true, string node = "node-a",
        HboneOptions? hboneOptions = null, IHboneDialer? dialer = null, bool serveHbone = true)
    {
        Options = options ?? new NodeOptions();
        Telemetry = telemetry ?? Recording;
        Store = new NodeViewStore(node);
        Certificates = new CertificateStore(TimeSpan.FromSeconds(5));
        Loggers = new ListLoggerFactory(Log);
        Enforcement = new InboundEnforcement(Store, Options.RootNamespace, Loggers);
        Resolver = new DestinationResolver(Store, Addresses, Options.LookupTimeout,
            new OutboundPlanner(Store.Node, hbonePort: Options.InboundHbonePort));
        Pool = hbone ? new HboneClientPool(hboneOptions ?? Options.Hbone, Certificates, dialer ?? Sockets, Log) : null;
        Outbound = new OutboundPipeline(Options, Resolver, Sockets, Telemetry, new ListLogger<OutboundPipeline>(Log), Pool);
        Inbound = new InboundPipeline(Options, Store, Resolver, Enforcement, Sockets, Telemetry);
        Plane = new PodDataPlane(Options, Store, Outbound, Inbound, Sockets, Loggers, serveHbone ? Certificates : null,
            new MeshNameResolver(Store, Addresses, Options.LookupTimeout), AcceptFailures: AcceptFailures);
    }

    public NodeOptions Options { get; }
    public RecordingTelemetry Recording { get; } = new();
    public IConnectionTelemetry Telemetry { get; }
    public ListLogger Log { get; } = new();
    public ILoggerFactory Loggers { get; }
    public NodeViewStore Store { get; }
    public CertificateStore Certificates { get; }
    public KnownAddresses Addresses { get; } = new();
    public PodSockets Sockets { get; } = new();
    public InboundEnforcement Enforcement { get; }
    public DestinationResolver Resolver { get; }
    public HboneClientPool? Pool { get; }
    public OutboundPipeline Outbound { get; }
    public InboundPipeline Inbound { get; }
    public PodDataPlane Plane { get; }
    public Mesh.Hbone.Sockets.AcceptFailures AcceptFailures { get; } = new();

    private long _version;

    /// <summary>Publishes this node's view: <paramref name="workloads"/> (and their SVIDs), services and policies.</summary>
    public void Apply(IEnumerable<Workload> workloads, IEnumerable<Service>? services = null, IEnumerable<Mesh.Protocol.Model.Authorization>? policies = null)
    {
        var list = workloads.ToList();
        foreach (var workload in list.Where(w => w.TunnelProtocol == TunnelProtocol.Hbone))
            Issue(workload.Identity);
        Store.Apply(new NodeSlice(Store.Node, list.ToValueList(), (services ?? []).ToValueList(), (policies ?? []).ToValueList()),
            Interlocked.Increment(ref _version));
    }

    /// <summary>Gives this node an SVID for <paramref name="id"/> (once).</summary>
    public WorkloadCertificate Issue(SpiffeId id)
    {
        if (Certificates.TryGet(id, out var held)) return held;
        var certificate = MeshPki.Instance.Issue(id);
        Certificates.Put(certificate);
        return certificate;
    }

    /// <summary>A pod of this node served without a netns (loopback tests): what the pipelines take as the pod.</summary>
    public CapturedPod Pod(Workload workload) =>
        new(new Mesh.Protocol.Zds.ZdsPod(workload.Uid, workload.Namespace, workload.Name, workload.Addresses[0], "/nonexistent"), Plane);

    /// <summary>
    /// Serves HBONE for <paramref name="workload"/> on its address and <c>InboundHbonePort</c> from the ztunnel's own netns
    /// (loopback tests): the real <see cref="HboneServer"/> with the workload's SVID, each CONNECT to the inbound pipeline.
    /// </summary>
    public HboneServer ServeHbone(Workload workload)
    {
        var pod = Pod(workload);
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Parse(workload.Addresses[0]), Options.InboundHbonePort));
        listener.Listen(64);
        _listeners.Add(listener);
        var server = new HboneServer(Options.Hbone, ct => Certificates.GetAsync(workload.Identity, ct), pod, Log, AcceptFailures);
        _servers.Add((server, server.RunAsync(listener, _stop.Token)));
        return server;
    }

    private readonly List<Socket> _listeners = [];
    private readonly List<(HboneServer Server, Task Run)> _servers = [];
    private readonly CancellationTokenSource _stop = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var listener in _listeners) listener.Dispose();
        foreach (var (server, run) in _servers)
        {
            await server.DisposeAsync();
            try { await run; } catch (OperationCanceledException) { }
        }
        if (Pool is not null) await Pool.DisposeAsync();
        Recording.Dispose();
        Enforcement.Dispose();
        Addresses.Dispose();
    }

    private static int _nextSubnet = Random.Shared.Next(0, 200);

    /// <summary>
    /// A fresh loopback /24 for one test's pods (127.N.M.0), so parallel specs sharing a port never collide:
    /// <c>Address(1)</c> is 127.N.M.1.
    /// </summary>
    public static Func<int, IPAddress> LoopbackSubnet()
    {
        var n = Interlocked.Increment(ref _nextSubnet);
        var (a, b) = (60 + n / 250 % 190, n % 250);
        return host => new IPAddress([127, (byte)a, (byte)b, (byte)host]);
    }

    /// <summary>A free TCP port on <paramref name="address"/>.</summary>
    public static int FreePort(IPAddress? address = null)
    {
        using var probe = new Socket((address ?? IPAddress.Loopback).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address ?? IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}

/// <summary>
/// Dials the peer's 15008 from the source pod's loopback address, as the pod's netns would give it its own IP (so the
/// inbound side sees the pod's address, not 127.0.0.1).
/// </summary>
internal sealed class LoopbackPodDialer : IHboneDialer
{
    public async ValueTask<Socket> DialAsync(HboneRequest request, CancellationToken cancellationToken)
    {
        var socket = new Socket(request.HboneEndpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (IPAddress.IsLoopback(request.SourceAddress)) socket.Bind(new IPEndPoint(request.SourceAddress, 0));
            await socket.ConnectAsync(request.HboneEndpoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
