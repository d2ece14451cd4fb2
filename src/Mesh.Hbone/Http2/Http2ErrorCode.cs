namespace Mesh.Hbone.Http2;

/// <summary>RFC 9113 §7 error codes (RST_STREAM, GOAWAY).</summary>
public enum Http2ErrorCode : uint
{
    NoError = 0x0,
    ProtocolError = 0x1,
    InternalError = 0x2,
    FlowControlError = 0x3,
    SettingsTimeout = 0x4,
    StreamClosed = 0x5,
    FrameSizeError = 0x6,
    /// <summary>The peer did not process the stream: safe to retry elsewhere.</summary>
    RefusedStream = 0x7,
    Cancel = 0x8,
    CompressionError = 0x9,
    ConnectError = 0xa,
    /// <summary>The peer limits us (e.g. Kestrel's guard against rapidly reset streams): back off, then retry.</summary>
    EnhanceYourCalm = 0xb,
    InadequateSecurity = 0xc,
    Http11Required = 0xd,
}
