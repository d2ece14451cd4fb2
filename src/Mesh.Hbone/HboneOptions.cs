namespace Mesh.Hbone;

/// <summary>HBONE tunables (the ztunnel binds them from <c>Mesh:Node:Hbone:*</c>). Defaults follow Istio's ztunnel.</summary>
public sealed class HboneOptions
{
    /// <summary>Concurrent CONNECT streams per pooled connection before a new connection is opened.</summary>
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>A pooled connection with no streams for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Receive window per stream.</summary>
    public int StreamWindowSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Receive window per connection.</summary>
    public int ConnectionWindowSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Interval of keepalive PINGs on an otherwise silent connection.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A PING not acknowledged within this time closes the connection.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>TCP connect + TLS handshake + HTTP/2 preface budget.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a draining connection (GOAWAY sent or received, certificate rotated) keeps its streams.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest header list (HPACK-decoded) accepted from a peer.</summary>
    public int MaxHeaderListSize { get; set; } = 16 * 1024;
}
