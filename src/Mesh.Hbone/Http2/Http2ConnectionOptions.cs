namespace Mesh.Hbone.Http2;

/// <summary>Settings of one <see cref="Http2Connection"/>; HBONE fills them from <see cref="HboneOptions"/>.</summary>
public sealed class Http2ConnectionOptions
{
    /// <summary>
    /// Our SETTINGS_MAX_FRAME_SIZE. 64 KiB − 9 makes a full DATA frame exactly four 16 KiB TLS records, and any
    /// non-DATA frame fits the 64 KiB read buffer. DATA payloads are streamed, so larger peers' frames cost nothing.
    /// </summary>
    public const int DefaultMaxFrameSize = 64 * 1024 - Http2FrameHeader.Size;

    /// <summary>Server (answers a client preface, accepts odd streams) or client (opens odd streams).</summary>
    public bool IsServer { get; init; }

    /// <summary>Receive window per stream, announced as SETTINGS_INITIAL_WINDOW_SIZE.</summary>
    public int StreamWindowSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Receive window of the whole connection.</summary>
    public int ConnectionWindowSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>Peer-initiated streams we accept at once (SETTINGS_MAX_CONCURRENT_STREAMS; servers only).</summary>
    public int MaxConcurrentStreams { get; init; } = 100;

    /// <summary>Largest decoded header list we accept (SETTINGS_MAX_HEADER_LIST_SIZE).</summary>
    public int MaxHeaderListSize { get; init; } = 16 * 1024;

    /// <summary>A header block longer than this many CONTINUATION frames is a flood (ENHANCE_YOUR_CALM).</summary>
    public int MaxContinuationFrames { get; init; } = 32;

    /// <summary>Our SETTINGS_MAX_FRAME_SIZE.</summary>
    public int MaxFrameSize { get; init; } = DefaultMaxFrameSize;

    /// <summary>PING after this much silence; <see cref="Timeout.InfiniteTimeSpan"/> disables keepalive.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No PING ACK within this time closes the connection.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>After GOAWAY, streams still open after this long are cut.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Read buffer of the connection's reader (held only while frames keep arriving).</summary>
    public int ReadBufferSize { get; init; } = 64 * 1024;

    /// <summary>Control frames (ACKs, WINDOW_UPDATE, RST) we queue for a peer that does not read are bounded.</summary>
    public int MaxPendingControlBytes { get; init; } = 256 * 1024;

    /// <summary>Builds the HBONE settings for one side.</summary>
    public static Http2ConnectionOptions ForHbone(HboneOptions options, bool isServer) => new()
    {
        IsServer = isServer,
        StreamWindowSize = options.StreamWindowSize,
        ConnectionWindowSize = options.ConnectionWindowSize,
        MaxConcurrentStreams = options.MaxStreamsPerConnection,
        MaxHeaderListSize = options.MaxHeaderListSize,
        KeepAliveInterval = options.KeepAliveInterval,
        KeepAliveTimeout = options.KeepAliveTimeout,
        DrainTimeout = options.DrainTimeout,
    };
}
