using System.Net.Sockets;
using Mesh.Node.Hbone.Http2;
using Mesh.Node.Proxy;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Hbone;

/// <summary>An established client CONNECT stream handed out by <see cref="HboneClientPool"/>.</summary>
internal sealed class HboneTunnel(Http2Stream stream, SpiffeId peer) : IHboneTunnel
{
    private int _used;

    public SpiffeId PeerIdentity => peer;

    internal Http2Stream Stream => stream;

    public Task<RelayResult> RelayAsync(Socket app, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _used, 1) != 0)
            throw new InvalidOperationException("A tunnel relays once.");
        return stream.RelayAsync(app, tunnelIsDownstream: false, cancellationToken);
    }

    /// <summary>Without a relay, the stream is reset so the peer and the pool release it.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _used, 1) == 0)
            stream.Abandon();
        return ValueTask.CompletedTask;
    }
}
