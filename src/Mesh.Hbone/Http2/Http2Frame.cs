using System.Buffers;
using System.Buffers.Binary;

namespace Mesh.Hbone.Http2;

/// <summary>
/// A received frame whose payload lives in an <see cref="ArrayPool{T}"/> buffer. Dispose exactly once (a
/// <c>using var</c> on the value you got), after which <see cref="Payload"/> is empty; don't dispose copies.
/// </summary>
public struct Http2Frame : IDisposable
{
    private byte[]? _buffer;

    internal Http2Frame(Http2FrameHeader header, byte[]? buffer)
    {
        Header = header;
        _buffer = buffer;
    }

    public Http2FrameHeader Header { get; }

    public readonly ReadOnlySpan<byte> Payload => _buffer is null ? default : _buffer.AsSpan(0, Header.Length);

    public readonly ReadOnlyMemory<byte> PayloadMemory => _buffer is null ? default : _buffer.AsMemory(0, Header.Length);

    public void Dispose()
    {
        if (_buffer is not null)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    /// <summary>DATA content without padding (§6.1).</summary>
    public readonly ReadOnlySpan<byte> GetData() => StripPadding(Header, Payload);

    /// <summary>HEADERS/CONTINUATION field block fragment without padding and priority fields (§6.2).</summary>
    public readonly ReadOnlySpan<byte> GetHeaderBlockFragment() => HeaderBlockFragment(Header, Payload);

    /// <summary>The field block fragment of a HEADERS or CONTINUATION payload parsed in place.</summary>
    public static ReadOnlySpan<byte> HeaderBlockFragment(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Type == Http2FrameType.Continuation)
            return payload;
        var fragment = StripPadding(header, payload);
        if (header.HasFlag(Http2FrameFlags.Priority))
        {
            if (fragment.Length < 5)
                throw Protocol(header, "HEADERS with PRIORITY is shorter than its 5 priority octets");
            fragment = fragment[5..];
        }
        return fragment;
    }

    public readonly int WindowUpdateIncrement => (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFF_FFFF);

    public readonly ulong PingData => BinaryPrimitives.ReadUInt64BigEndian(Payload);

    /// <summary>Error code of RST_STREAM or GOAWAY.</summary>
    public readonly Http2ErrorCode ErrorCode => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(
        Header.Type == Http2FrameType.GoAway ? Payload[4..] : Payload);

    public readonly int GoAwayLastStreamId => (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFF_FFFF);

    public readonly ReadOnlySpan<byte> GoAwayDebugData => Payload[8..];

    public override readonly string ToString() => Header.ToString();

    private static ReadOnlySpan<byte> StripPadding(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (!header.HasFlag(Http2FrameFlags.Padded))
            return payload;
        if (payload.IsEmpty)
            throw Protocol(header, "PADDED frame has no pad length octet");
        var padLength = payload[0];
        if (padLength >= payload.Length)
            throw Protocol(header, $"pad length {padLength} leaves no room in a {payload.Length}-octet payload");
        return payload[1..^padLength];
    }

    private static Http2ProtocolException Protocol(Http2FrameHeader header, string message) =>
        new(Http2ErrorCode.ProtocolError, $"{header.Type} frame on stream {header.StreamId}: {message}");
}
