using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>
/// An opened way to the destination: a connected TCP socket or an HBONE tunnel. <see cref="RelayAsync"/> moves the
/// client's bytes until both directions end and closes everything; in its <see cref="RelayResult"/> the client is
/// downstream (BytesUp = client → destination) for both kinds.
/// </summary>
public abstract class OutboundUpstream : IAsyncDisposable
{
    private OutboundUpstream(string route) => Route = route;

    /// <summary>Plain TCP or an HBONE tunnel.</summary>
    public abstract TrafficProtocol Protocol { get; }

    /// <summary>The identity the peer proved (HBONE only).</summary>
    public virtual SpiffeId? PeerIdentity => null;

    /// <summary>The local end of the upstream TCP connection (plain TCP only; the SOCKS5 reply carries it).</summary>
    public virtual IPEndPoint? LocalEndPoint => null;

    /// <summary>What was connected, for logs (the route, after any fallback).</summary>
    public string Route { get; }

    /// <summary>Relays <paramref name="client"/> to the destination; owns and closes both.</summary>
    public abstract Task<RelayResult> RelayAsync(Socket client, CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    public static OutboundUpstream Plain(Socket socket, string route) => new PlainUpstream(socket, route);

    public static OutboundUpstream Tunnel(IHboneTunnel tunnel, string route) => new TunnelUpstream(tunnel, route);

    private sealed class PlainUpstream(Socket socket, string route) : OutboundUpstream(route)
    {
        public override TrafficProtocol Protocol => TrafficProtocol.Tcp;
        public override IPEndPoint? LocalEndPoint => socket.LocalEndPoint as IPEndPoint;
        public override Task<RelayResult> RelayAsync(Socket client, CancellationToken ct) => TcpRelay.RunAsync(client, socket, ct);

        public override ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class TunnelUpstream(IHboneTunnel tunnel, string route) : OutboundUpstream(route)
    {
        public override TrafficProtocol Protocol => TrafficProtocol.Hbone;
        public override SpiffeId? PeerIdentity => tunnel.PeerIdentity;
        public override Task<RelayResult> RelayAsync(Socket client, CancellationToken ct) => tunnel.RelayAsync(client, ct);
        public override ValueTask DisposeAsync() => tunnel.DisposeAsync();
    }
}
