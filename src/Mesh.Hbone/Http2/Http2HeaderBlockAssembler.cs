using System.Buffers;

namespace Mesh.Hbone.Http2;

/// <summary>
/// Joins a HEADERS frame and its CONTINUATION frames into one field block for <see cref="HpackDecoder"/>, enforcing
/// §6.10 (nothing may interleave) and a size bound against CONTINUATION floods.
/// </summary>
public sealed class Http2HeaderBlockAssembler(int maxBlockSize) : IDisposable
{
    private byte[] _buffer = [];
    private int _length;

    /// <summary>Stream of the block being (or last) assembled.</summary>
    public int StreamId { get; private set; }

    /// <summary>END_STREAM of the HEADERS frame that started the block.</summary>
    public bool EndStream { get; private set; }

    /// <summary>A HEADERS frame without END_HEADERS was added; only CONTINUATION may follow.</summary>
    public bool InProgress { get; private set; }

    /// <summary>The complete block, valid after <see cref="Add"/> returned true and until the next call.</summary>
    public ReadOnlySpan<byte> Block => _buffer.AsSpan(0, _length);

    /// <summary>Adds a HEADERS or CONTINUATION frame; true when END_HEADERS completed the block.</summary>
    public bool Add(in Http2Frame frame) => Add(frame.Header, frame.Payload);

    /// <summary>Adds a HEADERS or CONTINUATION frame parsed in place; true when END_HEADERS completed the block.</summary>
    public bool Add(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (InProgress)
        {
            if (header.Type != Http2FrameType.Continuation || header.StreamId != StreamId)
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError,
                    $"Expected CONTINUATION on stream {StreamId}, got {header}");
        }
        else
        {
            if (header.Type != Http2FrameType.Headers)
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"Unexpected {header} outside a header block");
            StreamId = header.StreamId;
            InProgress = true;
            EndStream = header.HasFlag(Http2FrameFlags.EndStream);
            _length = 0;
        }

        Append(Http2Frame.HeaderBlockFragment(header, payload));
        if (!header.HasFlag(Http2FrameFlags.EndHeaders))
            return false;
        InProgress = false;
        return true;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
        InProgress = false;
    }

    private void Append(ReadOnlySpan<byte> fragment)
    {
        if (_length + fragment.Length > maxBlockSize)
            // A never-ending CONTINUATION chain is a known DoS; refuse like servers do.
            throw new Http2ProtocolException(Http2ErrorCode.EnhanceYourCalm,
                $"Header block on stream {StreamId} exceeds {maxBlockSize} octets");
        if (_length + fragment.Length > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_length + fragment.Length, 2 * _buffer.Length));
            Block.CopyTo(bigger);
            if (_buffer.Length > 0)
                ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        fragment.CopyTo(_buffer.AsSpan(_length));
        _length += fragment.Length;
    }
}
