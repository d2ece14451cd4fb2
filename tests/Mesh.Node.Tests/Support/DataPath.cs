using System.Net;
using System.Net.Sockets;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Tls;
using Mesh.Node.Authz;
using Mesh.Node.Capture;
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
        HboneOptions? hboneOptions = null)
    {
        Options = options ?? new NodeOptions();
        Telemetry = telemetry ?? Recording;
        Store = new NodeViewStore(node);
        Certificates = new CertificateStore(TimeSpan.FromSeconds(5));
        Loggers = new ListLoggerFactory(Log);
        Enforcement = new InboundEnforcement(Store, Options.RootNamespace, Loggers);
        Resolver = new DestinationResolver(Store, Addresses, Options.LookupTimeout,
            new OutboundPlanner(Store.Node, hbonePort: Options.InboundHbonePort));
        Pool = hbone ? new HboneClientPool(hboneOptions ?? Options.Hbone, Certificates, Sockets, Log) : null;
        Outbound = new OutboundPipeline(Options, Resolver, Sockets, Telemetry, new ListLogger<OutboundPipeline>(Log), Pool);
        Inbound = new InboundPipeline(Options, Store, Resolver, Enforcement, Sockets, Telemetry);
        Plane = new PodDataPlane(Options, Store, Outbound, Inbound, Sockets, Loggers, Certificates, AcceptFailures: AcceptFailures);
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

    public async ValueTask DisposeAsync()
    {
        if (Pool is not null) await Pool.DisposeAsync();
        Enforcement.Dispose();
        Addresses.Dispose();
    }

    /// <summary>A free TCP port on <paramref name="address"/>.</summary>
    public static int FreePort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
