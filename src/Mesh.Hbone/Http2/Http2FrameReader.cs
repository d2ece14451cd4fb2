using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Mesh.Hbone.Http2;

/// <summary>
/// Reads frames from a <see cref="PipeReader"/> (preferred: it batches transport reads) or a <see cref="Stream"/>,
/// enforcing our SETTINGS_MAX_FRAME_SIZE and the fixed payload sizes and stream-id rules of §6 before a payload is
/// buffered. Payloads come in pooled buffers (<see cref="Http2Frame"/>); the async path pools its state machine.
/// Not thread-safe: one reading loop per connection.
/// </summary>
public sealed class Http2FrameReader
{
    private readonly Stream? _stream;
    private readonly PipeReader? _pipe;
    private readonly byte[] _headerBuffer = new byte[Http2FrameHeader.Size];
    private int _maxFrameSize;

    public Http2FrameReader(PipeReader reader, int maxFrameSize = Http2Settings.DefaultMaxFrameSize)
    {
        _pipe = reader;
        MaxFrameSize = maxFrameSize;
    }

    public Http2FrameReader(Stream stream, int maxFrameSize = Http2Settings.DefaultMaxFrameSize)
    {
        _stream = stream;
        MaxFrameSize = maxFrameSize;
    }

    /// <summary>Our advertised SETTINGS_MAX_FRAME_SIZE; larger frames are a FRAME_SIZE_ERROR.</summary>
    public int MaxFrameSize
    {
        get => _maxFrameSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, Http2Settings.DefaultMaxFrameSize);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Http2FrameHeader.MaxLength);
            _maxFrameSize = value;
        }
    }

    /// <summary>The next frame, or null when the peer closed the transport cleanly between frames.</summary>
    /// <exception cref="Http2ProtocolException">Oversize or malformed frame, or the transport ended mid-frame.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Http2Frame?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        if (_pipe is not null)
            return await ReadFromPipeAsync(_pipe, cancellationToken);

        var got = await _stream!.ReadAtLeastAsync(_headerBuffer, Http2FrameHeader.Size, false, cancellationToken);
        if (got == 0)
            return null;
        if (got < Http2FrameHeader.Size)
            throw Truncated($"frame header ({got} of {Http2FrameHeader.Size} octets)");
        var header = Http2FrameHeader.Read(_headerBuffer);
        Validate(header, _maxFrameSize);
        if (header.Length == 0)
            return new Http2Frame(header, null);

        var buffer = ArrayPool<byte>.Shared.Rent(header.Length);
        try
        {
            got = await _stream.ReadAtLeastAsync(buffer.AsMemory(0, header.Length), header.Length, false, cancellationToken);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        if (got < header.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw Truncated($"{header.Type} payload ({got} of {header.Length} octets)");
        }
        return new Http2Frame(header, buffer);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Http2Frame?> ReadFromPipeAsync(PipeReader pipe, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await pipe.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (TryReadFrame(ref buffer, _maxFrameSize, out var frame))
            {
                pipe.AdvanceTo(buffer.Start);
                return frame;
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                var left = buffer.Length;
                pipe.AdvanceTo(buffer.End);
                if (left == 0)
                    return null;
                throw Truncated($"a frame ({left} octets buffered)");
            }
            pipe.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Parses one frame from the front of <paramref name="buffer"/> and slices it off; false when more octets are
    /// needed. The header is validated as soon as its 9 octets are present, so oversize frames fail before buffering.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out Http2Frame frame)
    {
        frame = default;
        if (buffer.Length < Http2FrameHeader.Size)
            return false;
        Span<byte> headerBytes = stackalloc byte[Http2FrameHeader.Size];
        buffer.Slice(0, Http2FrameHeader.Size).CopyTo(headerBytes);
        var header = Http2FrameHeader.Read(headerBytes);
        Validate(header, maxFrameSize);
        var total = Http2FrameHeader.Size + (long)header.Length;
        if (buffer.Length < total)
            return false;

        byte[]? payload = null;
        if (header.Length > 0)
        {
            payload = ArrayPool<byte>.Shared.Rent(header.Length);
            buffer.Slice(Http2FrameHeader.Size, header.Length).CopyTo(payload);
        }
        buffer = buffer.Slice(total);
        frame = new Http2Frame(header, payload);
        return true;
    }

    /// <summary>Frame-level checks of RFC 9113 §4.2 and §6 that need only the header.</summary>
    public static void Validate(Http2FrameHeader header, int maxFrameSize)
    {
        if (header.Length > maxFrameSize)
            throw new Http2ProtocolException(Http2ErrorCode.FrameSizeError,
                $"{header.Type} frame of {header.Length} octets exceeds SETTINGS_MAX_FRAME_SIZE {maxFrameSize}");
        switch (header.Type)
        {
            case Http2FrameType.Data or Http2FrameType.Headers or Http2FrameType.Continuation
                or Http2FrameType.PushPromise when header.StreamId == 0:
            case Http2FrameType.Priority or Http2FrameType.RstStream when header.StreamId == 0:
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"{header.Type} frame on stream 0");
            case Http2FrameType.Settings or Http2FrameType.Ping or Http2FrameType.GoAway when header.StreamId != 0:
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError,
                    $"{header.Type} frame on stream {header.StreamId}; it belongs to stream 0");
        }
        var sizeOk = header.Type switch
        {
            Http2FrameType.Priority => header.Length == 5,
            Http2FrameType.RstStream or Http2FrameType.WindowUpdate => header.Length == 4,
            Http2FrameType.Ping => header.Length == 8,
            Http2FrameType.GoAway => header.Length >= 8,
            Http2FrameType.Settings => header.HasFlag(Http2FrameFlags.Ack) ? header.Length == 0 : header.Length % 6 == 0,
            _ => true,
        };
        if (!sizeOk)
            throw new Http2ProtocolException(Http2ErrorCode.FrameSizeError,
                $"{header.Type} frame with flags 0x{(byte)header.Flags:x2} cannot be {header.Length} octets long");
    }

    private static Http2ProtocolException Truncated(string what) =>
        new(Http2ErrorCode.ProtocolError, $"Connection closed in the middle of {what}");
}
