using System.Buffers;

namespace Mesh.Hbone.Http2;

/// <summary>The write side: one lock around the transport, plus a queue for frames the reader needs sent.</summary>
public sealed partial class Http2Connection
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _controlSync = new();
    private ArrayBufferWriter<byte> _control = new(256); // queued control frames, guarded by _controlSync
    private ArrayBufferWriter<byte> _controlSending = new(256); // owned by the write-lock holder
    private bool _controlFlushScheduled;

    /// <summary>
    /// Sends one DATA frame whose payload the caller already put at <paramref name="buffer"/>[9..]: the header goes in
    /// front, so one app read becomes one transport write without copying. Flow-control credit must be held.
    /// </summary>
    internal async ValueTask WriteDataAsync(Http2Stream stream, byte[] buffer, int payloadLength, bool endStream, CancellationToken cancellationToken)
    {
        new Http2FrameHeader(payloadLength, Http2FrameType.Data, endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None, stream.Id)
            .Write(buffer);
        try
        {
            await _writeLock.WaitAsync(cancellationToken);
        }
        catch
        {
            ReturnSendCredit(stream, payloadLength);
            throw;
        }
        // A reset stream must not send more DATA (its RST is already queued or sent).
        if (stream.SendClosedException() is { } closed)
        {
            _writeLock.Release();
            ReturnSendCredit(stream, payloadLength);
            throw closed;
        }
        await SendStreamFramesUnderLockAsync(stream, buffer.AsMemory(0, Http2FrameHeader.Size + payloadLength), endStream);
    }

    /// <summary>HEADERS for a response (server role), flushed at once; <paramref name="endStream"/> for rejections.</summary>
    internal async ValueTask WriteHeadersAsync(Http2Stream stream, IReadOnlyList<HeaderField> headers, bool endStream, CancellationToken cancellationToken)
    {
        var block = new ArrayBufferWriter<byte>(64);
        var frames = new ArrayBufferWriter<byte>(96);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (stream.SendClosedException() is { } closed)
                throw closed;
            // Encoded under the lock: a pending dynamic table size update must go out in wire order.
            PrepareEncoder();
            foreach (var (name, value) in headers)
                _encoder.Encode(name, value, block);
            Http2FrameWriter.WriteHeaders(frames, stream.Id, block.WrittenSpan, endStream, _peerSettings.MaxFrameSize);
        }
        catch
        {
            _writeLock.Release();
            throw;
        }
        await SendStreamFramesUnderLockAsync(stream, frames.WrittenMemory, endStream);
    }

    /// <summary>
    /// Caller holds the write lock, which this releases: writes a stream's frames, marks its end when they carry
    /// END_STREAM, and turns a transport failure into the connection's abort and the stream's closed error.
    /// </summary>
    private async ValueTask SendStreamFramesUnderLockAsync(Http2Stream stream, ReadOnlyMemory<byte> frames, bool endStream)
    {
        try
        {
            await WriteUnderLockAsync(frames);
            if (endStream)
                stream.MarkLocalEnded();
        }
        catch (Exception e) when (e is not Http2StreamException)
        {
            Abort(e);
            throw stream.ClosedException(e);
        }
        finally
        {
            _writeLock.Release();
        }
        if (endStream)
            stream.TryClose();
    }

    /// <summary>Caller holds the write lock: tells the encoder about a changed peer table size before the next block.</summary>
    private void PrepareEncoder()
    {
        if (!_peerHeaderTableChanged)
            return;
        _peerHeaderTableChanged = false;
        _encoder.OnPeerHeaderTableSize((int)Math.Min(int.MaxValue, _peerSettings.HeaderTableSize));
    }

    /// <summary>Writes under the lock the caller holds, queued control frames first.</summary>
    private async ValueTask WriteUnderLockAsync(ReadOnlyMemory<byte> frames)
    {
        await FlushControlUnderLockAsync();
        // No cancellation token: a TLS write cut half-way would corrupt the connection for every stream.
        await _transport.WriteAsync(frames, CancellationToken.None);
    }

    private async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await WriteUnderLockAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Takes whatever control frames are queued and writes them; caller holds the write lock.</summary>
    private ValueTask FlushControlUnderLockAsync()
    {
        lock (_controlSync)
        {
            _controlFlushScheduled = false;
            if (_control.WrittenCount == 0)
                return ValueTask.CompletedTask;
            (_control, _controlSending) = (_controlSending, _control);
        }
        return FlushSendingAsync();
    }

    private async ValueTask FlushSendingAsync()
    {
        await _transport.WriteAsync(_controlSending.WrittenMemory, CancellationToken.None);
        _controlSending.ResetWrittenCount();
    }

    /// <summary>
    /// Queues a control frame (never blocks) and makes sure a writer will send it: the next data write, or a flush
    /// task of our own.
    /// </summary>
    private void QueueControl<TState>(TState state, Action<IBufferWriter<byte>, TState> write)
    {
        bool schedule, flooded = false;
        lock (_controlSync)
        {
            write(_control, state);
            // The peer makes us answer (PING, SETTINGS) but does not read: a flood, not a client.
            if (_control.WrittenCount > _options.MaxPendingControlBytes)
            {
                _control.ResetWrittenCount();
                flooded = true;
            }
            schedule = !_controlFlushScheduled;
            _controlFlushScheduled = true;
        }
        if (flooded)
            Abort(new Http2ProtocolException(Http2ErrorCode.EnhanceYourCalm, "The peer does not read our control frames."));
        else if (schedule)
            _ = FlushControlAsync();
    }

    private async Task FlushControlAsync()
    {
        try
        {
            await _writeLock.WaitAsync(_abort.Token);
            try
            {
                await FlushControlUnderLockAsync();
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (OperationCanceledException)
        {
            // Closing.
        }
        catch (Exception e)
        {
            Abort(e);
        }
    }

    internal void QueueRstStream(int streamId, Http2ErrorCode errorCode) =>
        QueueControl((streamId, errorCode), static (w, s) => Http2FrameWriter.WriteRstStream(w, s.streamId, s.errorCode));

    private void QueueGoAway(int lastStreamId, Http2ErrorCode errorCode) =>
        QueueControl((lastStreamId, errorCode), static (w, s) => Http2FrameWriter.WriteGoAway(w, s.lastStreamId, s.errorCode));

    private void QueueWindowUpdates(int streamId, int streamCredit, int connectionCredit) =>
        QueueControl((streamId, streamCredit, connectionCredit), static (w, s) =>
        {
            if (s.streamCredit > 0)
                Http2FrameWriter.WriteWindowUpdate(w, s.streamId, s.streamCredit);
            if (s.connectionCredit > 0)
                Http2FrameWriter.WriteWindowUpdate(w, 0, s.connectionCredit);
        });
}
