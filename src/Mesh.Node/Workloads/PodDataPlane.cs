using Mesh.Node.Authz;
using Mesh.Node.Dns;
using Mesh.Node.Hbone;
using Mesh.Node.Hosting;
using Mesh.Node.Identity;
using Mesh.Node.Proxy;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Workloads;

/// <summary>
/// What every <see cref="CapturedPod"/> on a node shares: settings, state, resolvers, and the HBONE pieces. Without
/// <see cref="Hbone"/> HBONE destinations get plain TCP; without <see cref="HboneServer"/> (or
/// <see cref="Certificates"/>) no pod listens on 15008.
/// </summary>
/// <param name="Certificates">A workload identity's current SVID (waits for the first one; bounded).</param>
/// <param name="Sockets">Where pods publish their netns socket factory (the HBONE client pool dials from there).</param>
/// <param name="Telemetry">Where every connection is reported (none when null).</param>
/// <param name="TelemetrySources">Where pods register their DNS proxy's counters (none when null).</param>
/// <param name="Enforcement">The node's inbound L4 authorization; when null the plane makes its own over <paramref name="Store"/>.</param>
public sealed record PodDataPlane(
    NodeOptions Options,
    NodeViewStore Store,
    DestinationResolver Resolver,
    ILoggerFactory Loggers,
    IMeshNameResolver? MeshNames = null,
    IHboneConnector? Hbone = null,
    IHboneListenerFactory? HboneServer = null,
    Func<SpiffeId, CancellationToken, ValueTask<WorkloadCertificate>>? Certificates = null,
    PodSocketRegistry? Sockets = null,
    IConnectionTelemetry? Telemetry = null,
    NodeTelemetrySources? TelemetrySources = null,
    InboundEnforcement? Enforcement = null)
{
    /// <summary>The inbound authorization every pod of this plane enforces (tracked connections, live re-checks).</summary>
    public InboundEnforcement Inbound { get; } = Enforcement ?? new InboundEnforcement(Store, Options.RootNamespace, Loggers);

    /// <summary><see cref="Telemetry"/>, or a sink that records nothing.</summary>
    public IConnectionTelemetry Connections => Telemetry ?? NoConnectionTelemetry.Instance;
}
