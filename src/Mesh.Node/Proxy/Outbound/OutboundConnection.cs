using System.Net;
using Mesh.Hbone.Relay;
using Mesh.Node.Telemetry;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>
/// What <see cref="OutboundPipeline.ConnectAsync"/> produced: an open upstream ready to relay, or the reason there is
/// none (the record is then already closed with it). Relay it with <see cref="OutboundPipeline.RelayAsync"/>, or
/// <see cref="OutboundPipeline.Abandon"/> it.
/// </summary>
public sealed class OutboundConnection
{
    internal OutboundConnection(ConnectionRecord record, string route, RelayEnd? upstream, IPEndPoint? localEndPoint, Exception? error)
    {
        Record = record;
        Route = route;
        Upstream = upstream;
        LocalEndPoint = localEndPoint;
        Error = error;
    }

    public ConnectionRecord Record { get; }

    /// <summary>The route taken, for logs (after any fallback).</summary>
    public string Route { get; }

    /// <summary>The open upstream: a TCP socket or an HBONE tunnel; null when the connect failed.</summary>
    internal RelayEnd? Upstream { get; }

    /// <summary>The local end of a plain TCP upstream (the SOCKS5 reply carries it); null for HBONE.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    /// <summary>Why the connect failed (null when it succeeded).</summary>
    public Exception? Error { get; }

    public bool Succeeded => Upstream is not null;
}
