namespace Mesh.Hbone.Http2;

/// <summary>
/// The peer violated RFC 9113. <see cref="StreamId"/> 0 means a connection error (send GOAWAY with
/// <see cref="ErrorCode"/> and close); otherwise only that stream is reset.
/// </summary>
public sealed class Http2ProtocolException(Http2ErrorCode errorCode, string message, int streamId = 0)
    : Exception($"{message} ({errorCode})")
{
    public Http2ErrorCode ErrorCode { get; } = errorCode;

    public int StreamId { get; } = streamId;
}
