using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone.Http2;
using Mesh.Node.Proxy;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Hbone;

/// <summary>A CONNECT that arrived on 15008, after the TLS handshake proved <paramref name="Peer"/>.</summary>
/// <param name="Peer">The client's SPIFFE identity (from its verified SVID).</param>
/// <param name="Target">The parsed <c>:authority</c> (ip:port) the client asks for.</param>
/// <param name="Remote">The TCP peer of the HBONE connection (the source pod's address).</param>
/// <param name="Local">The local end of the HBONE connection (destination pod IP:15008).</param>
/// <param name="ForwardedFor">The client address from <c>forwarded: for=</c>, if present and parseable.</param>
/// <param name="Headers">All request headers (pseudo-headers included), for baggage/traceparent.</param>
public sealed record HboneInboundRequest(
    SpiffeId Peer,
    IPEndPoint Target,
    IPEndPoint Remote,
    IPEndPoint Local,
    IPEndPoint? ForwardedFor,
    IReadOnlyList<HeaderField> Headers);

/// <summary>The handler's answer: reject with a status, or accept with a connected socket to the app.</summary>
public sealed record HboneAdmission(int Status, Socket? App, string? Reason)
{
    public static HboneAdmission Accept(Socket app) => new(200, app, null);
    /// <summary>400: the authority names no workload this node serves.</summary>
    public static HboneAdmission BadRequest(string reason) => new(400, null, reason);
    /// <summary>401: policy denies (the seam for the authorization issue).</summary>
    public static HboneAdmission Denied(string reason) => new(401, null, reason);
    /// <summary>503: the app refused or could not be reached.</summary>
    public static HboneAdmission Unavailable(string reason) => new(503, null, reason);
}

/// <summary>What the ztunnel plugs into the HBONE server on 15008.</summary>
public interface IHboneInboundHandler
{
    /// <summary>Decides and, on accept, connects to the app (from the pod's netns, keeping the client's IP).</summary>
    ValueTask<HboneAdmission> AdmitAsync(HboneInboundRequest request, CancellationToken cancellationToken);

    /// <summary>Called once per request after it finished: rejected (result null) or relayed.</summary>
    void Completed(HboneInboundRequest request, HboneAdmission admission, RelayResult? result);
}
