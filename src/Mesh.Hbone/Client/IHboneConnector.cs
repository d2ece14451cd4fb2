using Mesh.Hbone.Relay;
using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Client;

/// <summary>Opens HBONE tunnels (the pooled client). Implemented by <see cref="HboneClientPool"/>.</summary>
public interface IHboneConnector
{
    /// <summary>
    /// Opens a CONNECT stream for <paramref name="request"/> and waits for the peer's 200. Throws
    /// <see cref="HboneException"/> when the peer answers anything else, the TLS handshake or identity check fails, or
    /// the connection cannot be made (after the pool's own retries on GOAWAY / REFUSED_STREAM / ENHANCE_YOUR_CALM).
    /// </summary>
    ValueTask<IHboneTunnel> OpenAsync(HboneRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// An established CONNECT stream. Bytes move by <see cref="RelayPump"/> over <see cref="End"/>, never per chunk through
/// actors. Disposing a tunnel that was never relayed resets the stream, so the peer and the pool release it.
/// </summary>
public interface IHboneTunnel : IAsyncDisposable
{
    /// <summary>The identity the peer proved in the TLS handshake.</summary>
    SpiffeId PeerIdentity { get; }

    /// <summary>The tunnel as a relay end (take it once; the relay then owns the stream).</summary>
    RelayEnd End { get; }
}

/// <summary>Why an HBONE tunnel could not be opened.</summary>
public sealed class HboneException(string message, int? status = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The peer's :status when it answered the CONNECT with something other than 200.</summary>
    public int? Status { get; } = status;
}
