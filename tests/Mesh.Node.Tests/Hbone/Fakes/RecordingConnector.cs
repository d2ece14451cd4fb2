using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Node.Proxy;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Tests.Hbone.Fakes;

/// <summary>
/// Unit-level stand-in for the HBONE client pool: records every <see cref="HboneRequest"/> and returns a "tunnel" that
/// relays plain TCP to <see cref="HboneRequest.Target"/> (no TLS, no HTTP/2). Optionally refuses with a status.
/// </summary>
internal sealed class RecordingConnector(SpiffeId? peer = null) : IHboneConnector
{
    public ConcurrentQueue<HboneRequest> Requests { get; } = new();

    /// <summary>When set, OpenAsync throws an <see cref="HboneException"/> with this status.</summary>
    public int? RefuseWith { get; set; }

    public ValueTask<IHboneTunnel> OpenAsync(HboneRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        if (RefuseWith is { } status) throw new HboneException($"peer answered {status}", status);
        return ValueTask.FromResult<IHboneTunnel>(new PlainTunnel(request.Target, peer ?? request.Destination));
    }

    private sealed class PlainTunnel(IPEndPoint target, SpiffeId peer) : IHboneTunnel
    {
        public SpiffeId PeerIdentity => peer;

        public async Task<RelayResult> RelayAsync(Socket app, CancellationToken cancellationToken)
        {
            var upstream = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await upstream.ConnectAsync(target, cancellationToken);
            return await TcpRelay.RunAsync(app, upstream, cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
