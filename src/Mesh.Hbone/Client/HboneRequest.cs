using System.Net;
using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Client;

/// <summary>
/// One outbound tunnel to open: from <paramref name="Source"/> (the source pod's identity, at
/// <paramref name="SourceAddress"/>) to the peer ztunnel at <paramref name="HboneEndpoint"/> (podIP:15008), which must
/// present <paramref name="Destination"/>, asking for <paramref name="Target"/> (the <c>:authority</c>, podIP:targetPort).
/// <paramref name="Client"/> is the original client socket address, sent as <c>forwarded: for="ip:port"</c>.
/// </summary>
public sealed record HboneRequest(
    SpiffeId Source,
    IPAddress SourceAddress,
    SpiffeId Destination,
    IPEndPoint HboneEndpoint,
    IPEndPoint Target,
    IPEndPoint Client,
    string? Baggage = null,
    string? TraceParent = null)
{
    /// <summary>Connections are shared only between tunnels with the same key (ztunnel's WorkloadKey).</summary>
    public HbonePoolKey PoolKey => new(Source, SourceAddress, Destination, HboneEndpoint);
}

/// <summary>What an HBONE connection is pooled by: both identities, the source address and the peer endpoint.</summary>
public readonly record struct HbonePoolKey(SpiffeId Source, IPAddress SourceAddress, SpiffeId Destination, IPEndPoint HboneEndpoint)
{
    public override string ToString() => $"{Source} ({SourceAddress}) -> {Destination} @ {HboneEndpoint}";
}
