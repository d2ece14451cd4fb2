using Mesh.Hbone.Http2;
using Mesh.Hbone.Relay;
using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Client;

/// <summary>An established client CONNECT stream handed out by <see cref="HboneClientPool"/>.</summary>
internal sealed class HboneTunnel(Http2Stream stream, SpiffeId peer) : IHboneTunnel
{
    private int _taken;

    public SpiffeId PeerIdentity => peer;

    internal Http2Stream Stream => stream;

    public RelayEnd End
    {
        get
        {
            if (Interlocked.Exchange(ref _taken, 1) != 0)
                throw new InvalidOperationException("A tunnel is relayed once.");
            return RelayEnd.Of(stream);
        }
    }

    /// <summary>Without a relay, the stream is reset so the peer and the pool release it.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _taken, 1) == 0)
            stream.Abandon();
        return ValueTask.CompletedTask;
    }
}
