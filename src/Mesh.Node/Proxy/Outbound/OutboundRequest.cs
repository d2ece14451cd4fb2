using System.Net;
using Mesh.Node.Telemetry;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>
/// An outbound connection as it was accepted: who opened it (<see cref="Source"/>, null when no workload of this node
/// has <see cref="SourceAddress"/>), the client's socket address, and where it asked to go (the captured original
/// destination, or the SOCKS5 target).
/// </summary>
public sealed record OutboundRequest(Workload? Source, IPAddress SourceAddress, IPEndPoint Client, IPEndPoint Original, ConnectionStats? Counters);
