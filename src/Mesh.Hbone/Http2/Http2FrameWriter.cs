using System.Buffers;
using System.Buffers.Binary;

namespace Mesh.Hbone.Http2;

/// <summary>
/// Serializes frames into an <see cref="IBufferWriter{T}"/> (a PipeWriter in production), so a burst of frames is
/// flushed to TLS in one write. Callers own flow control and sizing against the peer's SETTINGS_MAX_FRAME_SIZE.
/// </summary>
public static class Http2FrameWriter
{
    /// <summary>RFC 9113 §3.4 client connection preface (followed by our SETTINGS frame).</summary>
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static void WriteSettings(IBufferWriter<byte> output, ReadOnlySpan<Http2Setting> settings)
    {
        var span = output.GetSpan(Http2FrameHeader.Size + 6 * settings.Length);
        var length = Http2Settings.Write(settings, span[Http2FrameHeader.Size..]);
        new Http2FrameHeader(length, Http2FrameType.Settings, Http2FrameFlags.None, 0).Write(span);
        output.Advance(Http2FrameHeader.Size + length);
    }

    public static void WriteSettingsAck(IBufferWriter<byte> output) =>
        WriteHeaderOnly(output, new Http2FrameHeader(0, Http2FrameType.Settings, Http2FrameFlags.Ack, 0));

    /// <summary>§6.9; <paramref name="streamId"/> 0 credits the connection window.</summary>
    public static void WriteWindowUpdate(IBufferWriter<byte> output, int streamId, int increment)
    {
        if (increment <= 0)
            throw new ArgumentOutOfRangeException(nameof(increment), increment, "WINDOW_UPDATE increment must be 1..2^31-1.");
        var span = Begin(output, new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, streamId));
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)increment);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    public static void WritePing(IBufferWriter<byte> output, ulong opaqueData, bool ack = false)
    {
        var flags = ack ? Http2FrameFlags.Ack : Http2FrameFlags.None;
        var span = Begin(output, new Http2FrameHeader(8, Http2FrameType.Ping, flags, 0));
        BinaryPrimitives.WriteUInt64BigEndian(span, opaqueData);
        output.Advance(Http2FrameHeader.Size + 8);
    }

    public static void WriteRstStream(IBufferWriter<byte> output, int streamId, Http2ErrorCode errorCode)
    {
        RequireStream(streamId);
        var span = Begin(output, new Http2FrameHeader(4, Http2FrameType.RstStream, Http2FrameFlags.None, streamId));
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)errorCode);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    public static void WriteGoAway(
        IBufferWriter<byte> output, int lastStreamId, Http2ErrorCode errorCode, ReadOnlySpan<byte> debugData = default)
    {
        var length = 8 + debugData.Length;
        var span = Begin(output, new Http2FrameHeader(length, Http2FrameType.GoAway, Http2FrameFlags.None, 0));
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)lastStreamId & 0x7FFF_FFFF);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)errorCode);
        debugData.CopyTo(span[8..]);
        output.Advance(Http2FrameHeader.Size + length);
    }

    /// <summary>
    /// HEADERS carrying <paramref name="headerBlock"/>, split into CONTINUATION frames of at most
    /// <paramref name="maxFrameSize"/>; END_HEADERS goes on the last one, END_STREAM on the HEADERS frame (§8.1).
    /// </summary>
    public static void WriteHeaders(
        IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> headerBlock, bool endStream,
        int maxFrameSize = Http2Settings.DefaultMaxFrameSize)
    {
        RequireStream(streamId);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameSize, 1);
        var type = Http2FrameType.Headers;
        var flags = endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None;
        do
        {
            var chunk = headerBlock[..Math.Min(headerBlock.Length, maxFrameSize)];
            headerBlock = headerBlock[chunk.Length..];
            if (headerBlock.IsEmpty)
                flags |= Http2FrameFlags.EndHeaders;
            WriteFrame(output, new Http2FrameHeader(chunk.Length, type, flags, streamId), chunk);
            type = Http2FrameType.Continuation;
            flags = Http2FrameFlags.None;
        }
        while (!headerBlock.IsEmpty);
    }

    /// <summary>One DATA frame; the caller keeps <paramref name="data"/> within the peer's max frame size and windows.</summary>
    public static void WriteData(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        RequireStream(streamId);
        var flags = endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None;
        WriteFrame(output, new Http2FrameHeader(data.Length, Http2FrameType.Data, flags, streamId), data);
    }

    private static void WriteFrame(IBufferWriter<byte> output, Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        var span = Begin(output, header);
        payload.CopyTo(span);
        output.Advance(Http2FrameHeader.Size + payload.Length);
    }

    private static void WriteHeaderOnly(IBufferWriter<byte> output, Http2FrameHeader header)
    {
        Begin(output, header);
        output.Advance(Http2FrameHeader.Size);
    }

    /// <summary>Writes the frame header and returns the span for the payload (not yet advanced).</summary>
    private static Span<byte> Begin(IBufferWriter<byte> output, Http2FrameHeader header)
    {
        var span = output.GetSpan(Http2FrameHeader.Size + header.Length);
        header.Write(span);
        return span.Slice(Http2FrameHeader.Size, header.Length);
    }

    private static void RequireStream(int streamId)
    {
        if (streamId <= 0)
            throw new ArgumentOutOfRangeException(nameof(streamId), streamId, "This frame type needs a stream id > 0.");
    }
}
