using Mesh.Node.Dns;
using Mesh.Node.Hbone;
using Mesh.Node.Hosting;
using Mesh.Node.Identity;
using Mesh.Node.Proxy;
using Mesh.Node.State;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Workloads;

/// <summary>
/// What every <see cref="CapturedPod"/> on a node shares: settings, state, resolvers, and the HBONE pieces. Without
/// <see cref="Hbone"/> HBONE destinations get plain TCP; without <see cref="HboneServer"/> (or
/// <see cref="Certificates"/>) no pod listens on 15008.
/// </summary>
/// <param name="Certificates">A workload identity's current SVID (waits for the first one; bounded).</param>
/// <param name="Sockets">Where pods publish their netns socket factory (the HBONE client pool dials from there).</param>
public sealed record PodDataPlane(
    NodeOptions Options,
    NodeViewStore Store,
    DestinationResolver Resolver,
    ILoggerFactory Loggers,
    IMeshNameResolver? MeshNames = null,
    IHboneConnector? Hbone = null,
    IHboneListenerFactory? HboneServer = null,
    Func<SpiffeId, CancellationToken, ValueTask<WorkloadCertificate>>? Certificates = null,
    PodSocketRegistry? Sockets = null);
