using System.Net.Sockets;
using Mesh.Node.Proxy;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Hbone;

/// <summary>Opens HBONE tunnels (the pooled client). Implemented by <c>HboneClientPool</c>.</summary>
public interface IHboneConnector
{
    /// <summary>
    /// Opens a CONNECT stream for <paramref name="request"/> and waits for the peer's 200. Throws
    /// <see cref="HboneException"/> when the peer answers anything else, the TLS handshake or identity check fails, or
    /// the connection cannot be made (after the pool's own retries on GOAWAY / REFUSED_STREAM / ENHANCE_YOUR_CALM).
    /// </summary>
    ValueTask<IHboneTunnel> OpenAsync(HboneRequest request, CancellationToken cancellationToken);
}

/// <summary>An established CONNECT stream. Bytes move by <see cref="RelayAsync"/>, never per chunk through actors.</summary>
public interface IHboneTunnel : IAsyncDisposable
{
    /// <summary>The identity the peer proved in the TLS handshake.</summary>
    SpiffeId PeerIdentity { get; }

    /// <summary>
    /// Pumps bytes between <paramref name="app"/> and the stream in both directions with half-close (app EOF →
    /// END_STREAM; END_STREAM → app Shutdown(Send)) until both directions are done or one fails; closes the socket.
    /// Downstream = the app socket, upstream = the tunnel.
    /// </summary>
    Task<RelayResult> RelayAsync(Socket app, CancellationToken cancellationToken);
}

/// <summary>Why an HBONE tunnel could not be opened.</summary>
public sealed class HboneException(string message, int? status = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The peer's :status when it answered the CONNECT with something other than 200.</summary>
    public int? Status { get; } = status;
}
