namespace Mesh.Hbone.Http2;

/// <summary>RFC 9113 §6 frame flags; their meaning depends on the frame type (ACK and END_STREAM share 0x1).</summary>
[Flags]
public enum Http2FrameFlags : byte
{
    None = 0x0,
    EndStream = 0x1,
    Ack = 0x1,
    EndHeaders = 0x4,
    Padded = 0x8,
    Priority = 0x20,
}
