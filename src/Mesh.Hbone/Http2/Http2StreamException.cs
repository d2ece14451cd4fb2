namespace Mesh.Hbone.Http2;

/// <summary>A stream ended abnormally: reset by either side, or its connection went away.</summary>
public sealed class Http2StreamException(string message, Http2ErrorCode errorCode, bool retryable = false, Exception? inner = null)
    : IOException(message, inner)
{
    /// <summary>The RST_STREAM / GOAWAY code, or <see cref="Http2ErrorCode.Cancel"/> for a local abort.</summary>
    public Http2ErrorCode ErrorCode { get; } = errorCode;

    /// <summary>
    /// The peer provably did not process the stream (REFUSED_STREAM, ENHANCE_YOUR_CALM, above a GOAWAY's last stream
    /// id, or never sent), so it may be retried on another connection.
    /// </summary>
    public bool Retryable { get; } = retryable;
}
