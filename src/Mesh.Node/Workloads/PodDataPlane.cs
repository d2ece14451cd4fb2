using Mesh.Hbone.Sockets;
using Mesh.Node.Capture;
using Mesh.Node.Dns;
using Mesh.Node.Hosting;
using Mesh.Node.Identity;
using Mesh.Node.Proxy.Inbound;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.State;
using Mesh.Node.Telemetry;

namespace Mesh.Node.Workloads;

/// <summary>
/// What every <see cref="CapturedPod"/> on a node shares: the two pipelines its listeners hand connections to, and what
/// its listeners need (settings, the node's state, pod sockets, certificates for 15008, DNS). Without
/// <see cref="Certificates"/> no pod listens on 15008.
/// </summary>
/// <param name="Sockets">Where pods publish their netns socket factory (connections on their behalf are born there).</param>
/// <param name="MeshNames">What the pod's DNS proxy answers for mesh names (none when null).</param>
/// <param name="TelemetrySources">Where pods register their DNS proxy's counters (none when null).</param>
/// <param name="AcceptFailures">Where failed accepts are counted (none when null).</param>
public sealed record PodDataPlane(
    NodeOptions Options,
    NodeViewStore Store,
    OutboundPipeline Outbound,
    InboundPipeline Inbound,
    PodSockets Sockets,
    ILoggerFactory Loggers,
    CertificateStore? Certificates = null,
    IMeshNameResolver? MeshNames = null,
    NodeTelemetrySources? TelemetrySources = null,
    AcceptFailures? AcceptFailures = null);
