using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace Mesh.Hbone.Http2;

/// <summary>
/// The connection's single reader. It reads into a pooled buffer and parses frames in place; DATA payloads are
/// streamed into their stream's queue as they arrive (a frame may span many reads), every other frame is handled
/// once complete. Between bursts it returns the buffer and waits with a zero-byte read, so an idle connection holds
/// no read buffer. Frame handling is synchronous: anything to send is queued, never awaited.
/// </summary>
public sealed partial class Http2Connection
{
    private bool _expectPreface;
    private bool _expectSettings = true;
    private int _need; // octets from the current position needed to make progress
    // DATA frame being streamed
    private bool _inData;
    private Http2Stream? _dataStream;
    private int _dataRemaining;
    private int _padRemaining;
    private bool _dataEndStream;
    private int _continuations;
    private volatile bool _peerHeaderTableChanged;
    // keepalive
    private TaskCompletionSource? _pingAck;
    private ulong _pingPayload;
    private long _keepAliveAcks;

    /// <summary>Keepalive PINGs the peer acknowledged (tests, diagnostics).</summary>
    internal long KeepAliveAcks => Interlocked.Read(ref _keepAliveAcks);

    private async Task ReadLoopAsync()
    {
        _expectPreface = IsServer;
        byte[]? buffer = null;
        int start = 0, end = 0;
        Exception? failure;
        try
        {
            while (true)
            {
                if (start == end)
                {
                    start = end = 0;
                    if (buffer is not null)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = null;
                    }
                    // Wait for data without holding a buffer (SslStream and sockets support zero-byte reads).
#pragma warning disable CA2022 // a zero-byte read only waits for readability; it reads nothing
                    await _transport.ReadAsync(Memory<byte>.Empty, _abort.Token);
#pragma warning restore CA2022
                    buffer = ArrayPool<byte>.Shared.Rent(_options.ReadBufferSize);
                }
                else if (buffer!.Length - start < _need)
                {
                    // The incomplete frame does not fit behind `start`: move it to the front, or grow.
                    var bigger = _need > buffer.Length ? ArrayPool<byte>.Shared.Rent(_need) : buffer;
                    Buffer.BlockCopy(buffer, start, bigger, 0, end - start);
                    if (!ReferenceEquals(bigger, buffer))
                        ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    end -= start;
                    start = 0;
                }

                var read = await _transport.ReadAsync(buffer.AsMemory(end), _abort.Token);
                if (read == 0)
                {
                    if (start != end || _inData || _headerBlock.InProgress)
                        throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, "Connection closed in the middle of a frame");
                    failure = new IOException("The HTTP/2 peer closed the connection.");
                    break;
                }
                end += read;
                Volatile.Write(ref _lastFrameTicks, Environment.TickCount64);
                start = ProcessFrames(buffer, start, end);
            }
        }
        catch (Http2ProtocolException e)
        {
            failure = e;
            _logger.LogDebug(e, "HTTP/2 protocol error from the peer");
            lock (_sync)
                QueueGoAway(_lastPeerStreamId, e.ErrorCode);
        }
        catch (HpackException e)
        {
            failure = e;
            _logger.LogDebug(e, "HPACK error from the peer");
            lock (_sync)
                QueueGoAway(_lastPeerStreamId, Http2ErrorCode.CompressionError);
        }
        catch (Exception e)
        {
            failure = e;
        }
        if (buffer is not null)
            ArrayPool<byte>.Shared.Return(buffer);
        Abort(failure);
    }

    /// <summary>Handles every complete frame (and DATA octets) in [start, end); returns where parsing stopped.</summary>
    private int ProcessFrames(byte[] buffer, int start, int end)
    {
        while (true)
        {
            if (_inData)
            {
                var available = end - start;
                if (_dataRemaining > 0)
                {
                    if (available == 0)
                        return start;
                    var take = Math.Min(available, _dataRemaining);
                    DeliverData(buffer.AsSpan(start, take));
                    start += take;
                    available -= take;
                    _dataRemaining -= take;
                    if (_dataRemaining > 0)
                        return start;
                }
                var skip = Math.Min(available, _padRemaining);
                start += skip;
                _padRemaining -= skip;
                if (_padRemaining > 0)
                    return start;
                EndDataFrame();
                continue;
            }

            var left = end - start;
            if (_expectPreface)
            {
                var preface = Http2FrameWriter.ClientPreface;
                if (!buffer.AsSpan(start, Math.Min(left, preface.Length)).SequenceEqual(preface[..Math.Min(left, preface.Length)]))
                    throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, "Invalid HTTP/2 client preface");
                if (left < preface.Length)
                {
                    _need = preface.Length;
                    return start;
                }
                start += preface.Length;
                _expectPreface = false;
                continue;
            }
            if (left < Http2FrameHeader.Size)
            {
                _need = Http2FrameHeader.Size;
                return start;
            }

            var header = Http2FrameHeader.Read(buffer.AsSpan(start));
            Http2FrameReader.Validate(header, _options.MaxFrameSize);
            if (_expectSettings && (header.Type != Http2FrameType.Settings || header.HasFlag(Http2FrameFlags.Ack)))
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"The first frame must be SETTINGS, got {header}");
            if (_headerBlock.InProgress && header.Type != Http2FrameType.Continuation)
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"{header} interrupts a header block");

            if (header.Type == Http2FrameType.Data)
            {
                var prefix = Http2FrameHeader.Size;
                var padLength = 0;
                if (header.HasFlag(Http2FrameFlags.Padded))
                {
                    if (header.Length == 0)
                        throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, "PADDED DATA frame without pad length");
                    if (left <= Http2FrameHeader.Size)
                    {
                        _need = Http2FrameHeader.Size + 1;
                        return start;
                    }
                    padLength = buffer[start + Http2FrameHeader.Size];
                    prefix++;
                    if (padLength >= header.Length)
                        throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"Pad length {padLength} exceeds DATA frame {header}");
                }
                BeginDataFrame(header, header.Length - (prefix - Http2FrameHeader.Size) - padLength, padLength);
                start += prefix;
                continue;
            }

            if (left < Http2FrameHeader.Size + header.Length)
            {
                _need = Http2FrameHeader.Size + header.Length;
                return start;
            }
            HandleFrame(header, buffer.AsSpan(start + Http2FrameHeader.Size, header.Length));
            start += Http2FrameHeader.Size + header.Length;
        }
    }

    private void BeginDataFrame(Http2FrameHeader header, int dataLength, int padLength)
    {
        Http2Stream? stream;
        var streamError = false;
        lock (_sync)
        {
            if (header.Length > _recvWindow)
                throw new Http2ProtocolException(Http2ErrorCode.FlowControlError,
                    $"DATA of {header.Length} octets exceeds the connection window {_recvWindow}");
            _recvWindow -= header.Length;
            if (!_streams.TryGetValue(header.StreamId, out stream))
            {
                if (IsIdle(header.StreamId))
                    throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"DATA on idle stream {header.StreamId}");
                // Closed (or reset by us): discarded below; frames can still be in flight after our RST.
            }
            else if (stream.RemoteEnded)
            {
                throw new Http2ProtocolException(Http2ErrorCode.StreamClosed, $"DATA on stream {header.StreamId} after END_STREAM");
            }
            else if (header.Length > stream.RecvWindow)
            {
                streamError = true;
            }
            else
            {
                stream.RecvWindow -= header.Length;
            }
        }
        if (streamError)
        {
            stream!.Reset(Http2ErrorCode.FlowControlError, "the peer overran the stream window");
            stream = null;
        }
        if (stream is null)
            CreditConnection(header.Length);
        else if (header.Length > dataLength)
            OnConsumed(stream, header.Length - dataLength); // padding is never delivered

        _inData = true;
        _dataStream = stream;
        _dataRemaining = dataLength;
        _padRemaining = padLength;
        _dataEndStream = header.HasFlag(Http2FrameFlags.EndStream);
    }

    private void DeliverData(ReadOnlySpan<byte> data)
    {
        if (_dataStream is null || !_dataStream.OnData(data))
            CreditConnection(data.Length);
    }

    private void EndDataFrame()
    {
        _inData = false;
        var stream = _dataStream;
        _dataStream = null;
        if (_dataEndStream)
            stream?.OnRemoteEnd();
    }

    /// <summary>A stream id that was never opened (§5.1 "idle"). Caller holds _sync.</summary>
    private bool IsIdle(int streamId) => IsServer
        ? (streamId % 2 == 1 ? streamId > _lastPeerStreamId : streamId >= _nextStreamId)
        : (streamId % 2 == 1 ? streamId >= _nextStreamId : true);

    private void HandleFrame(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        switch (header.Type)
        {
            case Http2FrameType.Headers or Http2FrameType.Continuation:
                OnHeaderFrame(header, payload);
                break;
            case Http2FrameType.Settings:
                OnSettings(header, payload);
                break;
            case Http2FrameType.Ping:
                var data = BinaryPrimitives.ReadUInt64BigEndian(payload);
                if (header.HasFlag(Http2FrameFlags.Ack))
                {
                    if (data == _pingPayload && _pingAck?.TrySetResult() == true)
                        Interlocked.Increment(ref _keepAliveAcks);
                }
                else
                {
                    QueueControl(data, static (w, d) => Http2FrameWriter.WritePing(w, d, ack: true));
                }
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(header.StreamId, (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF));
                break;
            case Http2FrameType.RstStream:
                Http2Stream? reset;
                lock (_sync)
                {
                    if (IsIdle(header.StreamId))
                        throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"RST_STREAM on idle stream {header.StreamId}");
                    _streams.TryGetValue(header.StreamId, out reset);
                }
                reset?.OnPeerReset((Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload));
                break;
            case Http2FrameType.GoAway:
                OnGoAway((int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF),
                    (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]));
                break;
            case Http2FrameType.PushPromise:
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, "PUSH_PROMISE is not allowed here");
            // PRIORITY and unknown types are ignored (§5.5).
        }
    }

    private void OnHeaderFrame(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Type == Http2FrameType.Headers)
            _continuations = 0;
        else if (++_continuations > _options.MaxContinuationFrames)
            throw new Http2ProtocolException(Http2ErrorCode.EnhanceYourCalm,
                $"More than {_options.MaxContinuationFrames} CONTINUATION frames in one header block");
        if (!_headerBlock.Add(header, payload))
            return;
        // Always decode, even for streams we ignore: the HPACK table must stay in sync with the peer.
        var fields = _decoder.Decode(_headerBlock.Block);
        var streamId = _headerBlock.StreamId;
        var endStream = _headerBlock.EndStream;
        if (IsServer)
            OnRequestHeaders(streamId, fields, endStream);
        else
            OnResponseHeaders(streamId, fields, endStream);
    }

    private void OnResponseHeaders(int streamId, List<HeaderField> fields, bool endStream)
    {
        Http2Stream? stream;
        lock (_sync)
        {
            if (!_streams.TryGetValue(streamId, out stream) && IsIdle(streamId))
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"HEADERS on idle stream {streamId}");
        }
        stream?.OnHeaders(fields, endStream);
    }

    private void OnRequestHeaders(int streamId, List<HeaderField> fields, bool endStream)
    {
        Http2Stream stream;
        lock (_sync)
        {
            if (_streams.TryGetValue(streamId, out var existing))
            {
                // Trailers; HBONE sends none, but END_STREAM on them still ends the stream.
                if (!endStream)
                    throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"Second HEADERS without END_STREAM on stream {streamId}");
                stream = existing;
            }
            else
            {
                if (streamId % 2 == 0 || streamId <= _lastPeerStreamId)
                    throw new Http2ProtocolException(Http2ErrorCode.ProtocolError,
                        $"HEADERS opening stream {streamId} after {_lastPeerStreamId} (ids must be odd and increasing)");
                _lastPeerStreamId = streamId;
                if (_draining || _streams.Count >= _options.MaxConcurrentStreams)
                {
                    QueueRstStream(streamId, Http2ErrorCode.RefusedStream);
                    return;
                }
                stream = new Http2Stream(this, streamId, _peerSettings.InitialWindowSize, _options.StreamWindowSize, fields);
                _streams.Add(streamId, stream);
                existing = null;
            }
            if (existing is not null)
            {
                existing.OnRemoteEnd();
                return;
            }
        }
        if (endStream)
            stream.OnRemoteEnd();
        if (!_onRequest!(stream, fields))
            stream.Reset(Http2ErrorCode.RefusedStream, "refused by the server");
    }

    private void OnSettings(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.HasFlag(Http2FrameFlags.Ack))
            return;
        _expectSettings = false;
        var oldWindow = _peerSettings.InitialWindowSize;
        var oldTableSize = _peerSettings.HeaderTableSize;
        lock (_sync)
        {
            _peerSettings.Apply(payload);
            // §6.9.2: a new initial window shifts every open stream's send window by the difference.
            var delta = _peerSettings.InitialWindowSize - oldWindow;
            if (delta != 0)
            {
                foreach (var stream in _streams.Values)
                {
                    stream.SendWindow += delta;
                    if (stream.SendWindow > Http2Settings.MaxWindowSize)
                        throw new Http2ProtocolException(Http2ErrorCode.FlowControlError,
                            $"SETTINGS_INITIAL_WINDOW_SIZE pushes stream {stream.Id} past 2^31-1");
                }
                WakeAllWindowWaiters();
            }
        }
        if (_peerSettings.HeaderTableSize != oldTableSize)
            _peerHeaderTableChanged = true;
        QueueControl(0, static (w, _) => Http2FrameWriter.WriteSettingsAck(w));
        _peerSettingsReceived.TrySetResult();
    }

    private void OnWindowUpdate(int streamId, int increment)
    {
        Http2Stream? stream = null;
        string? streamError = null;
        lock (_sync)
        {
            if (streamId == 0)
            {
                if (increment == 0)
                    throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE of 0 on the connection");
                _sendWindow += increment;
                if (_sendWindow > Http2Settings.MaxWindowSize)
                    throw new Http2ProtocolException(Http2ErrorCode.FlowControlError, "Connection send window exceeds 2^31-1");
                WakeConnectionWindowWaiters();
                return;
            }
            if (!_streams.TryGetValue(streamId, out stream))
            {
                if (IsIdle(streamId))
                    throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"WINDOW_UPDATE on idle stream {streamId}");
                return;
            }
            if (increment == 0)
                streamError = "WINDOW_UPDATE of 0";
            else if ((stream.SendWindow += increment) > Http2Settings.MaxWindowSize)
                streamError = "stream send window exceeds 2^31-1";
            else
                stream.WakeWindowWaiter();
        }
        if (streamError is not null)
            stream.Reset(increment == 0 ? Http2ErrorCode.ProtocolError : Http2ErrorCode.FlowControlError, streamError);
    }

    private void OnGoAway(int lastStreamId, Http2ErrorCode errorCode)
    {
        List<Http2Stream>? unprocessed = null;
        lock (_sync)
        {
            _draining = true;
            _goAwayLastStreamId = Math.Min(_goAwayLastStreamId, lastStreamId);
            if (!IsServer)
            {
                foreach (var stream in _streams.Values)
                {
                    if (stream.Id > lastStreamId)
                        (unprocessed ??= []).Add(stream);
                }
            }
        }
        if (errorCode != Http2ErrorCode.NoError)
            _logger.LogDebug("HTTP/2 peer sent GOAWAY {ErrorCode} (last stream {LastStreamId})", errorCode, lastStreamId);
        // §6.8: streams above the last id were not processed and may be retried on another connection.
        foreach (var stream in unprocessed ?? [])
            stream.OnConnectionClosed(new Http2StreamException(
                $"Stream {stream.Id} was not processed before the peer's GOAWAY ({errorCode}).", errorCode, retryable: true));
        CloseIfDrained();
    }

    /// <summary>Sends a keepalive PING when the connection was silent for an interval; no ACK in time closes it.</summary>
    private async Task KeepAliveLoopAsync()
    {
        var interval = _options.KeepAliveInterval;
        try
        {
            while (true)
            {
                await Task.Delay(interval, _abort.Token);
                if (Environment.TickCount64 - LastFrameTicks < (long)interval.TotalMilliseconds)
                    continue;
                var ack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _pingAck = ack;
                var payload = _pingPayload = (ulong)Environment.TickCount64;
                QueueControl(payload, static (w, p) => Http2FrameWriter.WritePing(w, p));
                try
                {
                    await ack.Task.WaitAsync(_options.KeepAliveTimeout, _abort.Token);
                }
                catch (TimeoutException)
                {
                    _logger.LogDebug("HTTP/2 peer did not answer a keepalive PING within {Timeout}", _options.KeepAliveTimeout);
                    lock (_sync)
                        QueueGoAway(_lastPeerStreamId, Http2ErrorCode.NoError);
                    Abort(new TimeoutException("The HTTP/2 peer did not answer a keepalive PING."));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Connection closed.
        }
    }
}
