using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Node.Telemetry;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>
/// An opened way to the destination: a connected TCP socket or an HBONE tunnel. <see cref="RelayAsync"/> moves the
/// client's bytes until both directions end and closes everything; in its <see cref="RelayResult"/> the client is
/// downstream (BytesUp = client → destination) for both kinds. The connection's telemetry record is closed when the
/// relay ends (or on dispose, if it never ran).
/// </summary>
public abstract class OutboundUpstream : IAsyncDisposable
{
    private readonly IConnectionTelemetry _telemetry;
    private int _reported;

    private OutboundUpstream(string route, IConnectionTelemetry? telemetry, ConnectionRecord? record)
    {
        Route = route;
        _telemetry = telemetry ?? NoConnectionTelemetry.Instance;
        Record = record;
    }

    /// <summary>What telemetry knows this connection as (null when nobody reports it).</summary>
    public ConnectionRecord? Record { get; }

    /// <summary>Plain TCP or an HBONE tunnel.</summary>
    public abstract TrafficProtocol Protocol { get; }

    /// <summary>The identity the peer proved (HBONE only).</summary>
    public virtual SpiffeId? PeerIdentity => null;

    /// <summary>The local end of the upstream TCP connection (plain TCP only; the SOCKS5 reply carries it).</summary>
    public virtual IPEndPoint? LocalEndPoint => null;

    /// <summary>What was connected, for logs (the route, after any fallback).</summary>
    public string Route { get; }

    /// <summary>Relays <paramref name="client"/> to the destination; owns and closes both.</summary>
    public async Task<RelayResult> RelayAsync(Socket client, CancellationToken ct)
    {
        var result = await RunRelayAsync(client, ct).ConfigureAwait(false);
        Report(result.BytesUp, result.BytesDown, OutboundTelemetry.RelayFailure(result));
        return result;
    }

    private protected abstract Task<RelayResult> RunRelayAsync(Socket client, CancellationToken ct);

    public ValueTask DisposeAsync()
    {
        // After a relay this reports nothing; without one the connection ends here.
        Report(0, 0, ConnectionFailure.Error("closed before relaying"));
        return DisposeUpstreamAsync();
    }

    private void Report(long sent, long received, ConnectionFailure? failure)
    {
        if (Record is not null && Interlocked.Exchange(ref _reported, 1) == 0) _telemetry.Closed(Record, sent, received, failure);
    }

    private protected abstract ValueTask DisposeUpstreamAsync();

    public static OutboundUpstream Plain(Socket socket, string route, IConnectionTelemetry? telemetry = null, ConnectionRecord? record = null) =>
        new PlainUpstream(socket, route, telemetry, record);

    public static OutboundUpstream Tunnel(IHboneTunnel tunnel, string route, IConnectionTelemetry? telemetry = null, ConnectionRecord? record = null) =>
        new TunnelUpstream(tunnel, route, telemetry, record);

    private sealed class PlainUpstream(Socket socket, string route, IConnectionTelemetry? telemetry, ConnectionRecord? record)
        : OutboundUpstream(route, telemetry, record)
    {
        public override TrafficProtocol Protocol => TrafficProtocol.Tcp;
        public override IPEndPoint? LocalEndPoint => socket.LocalEndPoint as IPEndPoint;
        private protected override Task<RelayResult> RunRelayAsync(Socket client, CancellationToken ct) => TcpRelay.RunAsync(client, socket, ct);

        private protected override ValueTask DisposeUpstreamAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class TunnelUpstream(IHboneTunnel tunnel, string route, IConnectionTelemetry? telemetry, ConnectionRecord? record)
        : OutboundUpstream(route, telemetry, record)
    {
        public override TrafficProtocol Protocol => TrafficProtocol.Hbone;
        public override SpiffeId? PeerIdentity => tunnel.PeerIdentity;
        private protected override Task<RelayResult> RunRelayAsync(Socket client, CancellationToken ct) => tunnel.RelayAsync(client, ct);
        private protected override ValueTask DisposeUpstreamAsync() => tunnel.DisposeAsync();
    }
}
