namespace Mesh.Node.Hbone.Http2;

/// <summary>The connection's single reader: dispatches every received frame.</summary>
public sealed partial class Http2ClientConnection
{
    private async Task ReadLoopAsync()
    {
        Exception reason;
        try
        {
            while (await _reader.ReadFrameAsync(_shutdown.Token) is { } read)
            {
                var frame = read;
                try
                {
                    await HandleFrameAsync(frame);
                }
                finally
                {
                    frame.Dispose();
                }
            }
            reason = new IOException("The HTTP/2 peer closed the connection.");
        }
        catch (Http2ProtocolException ex)
        {
            reason = ex;
            await TryGoAwayAsync(ex.ErrorCode);
        }
        catch (HpackException ex)
        {
            reason = ex;
            await TryGoAwayAsync(Http2ErrorCode.CompressionError);
        }
        catch (Exception ex)
        {
            reason = ex;
        }
        Close(reason);
    }

    private async ValueTask HandleFrameAsync(Http2Frame frame)
    {
        var header = frame.Header;
        if (_headerBlock.InProgress && header.Type != Http2FrameType.Continuation)
            throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"{header} interrupts a header block");

        switch (header.Type)
        {
            case Http2FrameType.Data:
                await OnDataAsync(frame);
                break;
            case Http2FrameType.Headers or Http2FrameType.Continuation:
                if (_headerBlock.Add(frame))
                {
                    // Always decode, even for a stream we no longer track: the HPACK table must stay in sync.
                    var fields = _decoder.Decode(_headerBlock.Block);
                    if (_streams.TryGetValue(_headerBlock.StreamId, out var stream))
                        stream.OnHeaders(fields, _headerBlock.EndStream);
                }
                break;
            case Http2FrameType.Settings:
                if (!header.HasFlag(Http2FrameFlags.Ack))
                    await OnSettingsAsync(frame);
                break;
            case Http2FrameType.Ping:
                if (!header.HasFlag(Http2FrameFlags.Ack))
                    await WriteFramesAsync(frame.PingData, static (o, data) => Http2FrameWriter.WritePing(o, data, ack: true));
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(header.StreamId, frame.WindowUpdateIncrement);
                break;
            case Http2FrameType.RstStream:
                if (_streams.TryGetValue(header.StreamId, out var reset))
                    reset.Fail(new Http2ProtocolException(frame.ErrorCode, $"Stream {header.StreamId} was reset by the peer",
                        header.StreamId));
                break;
            case Http2FrameType.GoAway:
                OnGoAway(frame.GoAwayLastStreamId, frame.ErrorCode);
                break;
            case Http2FrameType.PushPromise:
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, "PUSH_PROMISE although we disabled push");
            // PRIORITY and unknown types are ignored (§5.5).
        }
    }

    private async ValueTask OnDataAsync(Http2Frame frame)
    {
        var header = frame.Header;
        var data = frame.GetData();
        var dataLength = data.Length;
        var padding = header.Length - dataLength;
        if (_streams.TryGetValue(header.StreamId, out var stream))
        {
            if (stream.RemoteEnded)
                throw new Http2ProtocolException(Http2ErrorCode.StreamClosed, $"DATA on stream {header.StreamId} after END_STREAM");
            if (!stream.OnData(data))
                padding += dataLength; // failed meanwhile: credit like an unknown stream
            if (header.HasFlag(Http2FrameFlags.EndStream))
                stream.OnRemoteEnd();
        }
        else
        {
            // Nobody will read it, so credit the connection window right away.
            padding += dataLength;
        }
        if (padding > 0)
        {
            int credit = 0;
            lock (_windowLock)
            {
                _connectionPendingCredit += padding;
                if (_connectionPendingCredit >= ConnectionWindowSize / 4)
                    (credit, _connectionPendingCredit) = (_connectionPendingCredit, 0);
            }
            if (credit > 0)
                await SendWindowUpdatesAsync(0, 0, credit, _shutdown.Token);
        }
    }

    private async ValueTask OnSettingsAsync(Http2Frame frame)
    {
        var oldWindow = _peerSettings.InitialWindowSize;
        var oldTableSize = _peerSettings.HeaderTableSize;
        _peerSettings.Apply(frame.Payload);
        lock (_windowLock)
        {
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
                SignalWindowChanged();
            }
        }
        await WriteFramesAsync(_peerSettings.HeaderTableSize != oldTableSize, (o, tableChanged) =>
        {
            if (tableChanged)
                _encoder.OnPeerHeaderTableSize((int)Math.Min(int.MaxValue, _peerSettings.HeaderTableSize));
            Http2FrameWriter.WriteSettingsAck(o);
        });
    }

    private void OnWindowUpdate(int streamId, int increment)
    {
        if (increment == 0)
            throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"WINDOW_UPDATE of 0 on stream {streamId}");
        lock (_windowLock)
        {
            if (streamId == 0)
            {
                _connectionSendWindow += increment;
                if (_connectionSendWindow > Http2Settings.MaxWindowSize)
                    throw new Http2ProtocolException(Http2ErrorCode.FlowControlError, "Connection send window exceeds 2^31-1");
            }
            else if (_streams.TryGetValue(streamId, out var stream))
            {
                stream.SendWindow += increment;
                if (stream.SendWindow > Http2Settings.MaxWindowSize)
                {
                    stream.Fail(new Http2ProtocolException(Http2ErrorCode.FlowControlError,
                        $"Stream {streamId} send window exceeds 2^31-1", streamId));
                    return;
                }
            }
            SignalWindowChanged();
        }
    }

    private void OnGoAway(int lastStreamId, Http2ErrorCode errorCode)
    {
        lock (_windowLock)
            _closed ??= new Http2ProtocolException(errorCode, $"Peer sent GOAWAY (last stream {lastStreamId})");
        // Streams above lastStreamId were not processed: callers may retry them on a new connection (§6.8).
        foreach (var stream in _streams.Values)
        {
            if (stream.Id > lastStreamId)
                stream.Fail(new Http2ProtocolException(Http2ErrorCode.RefusedStream,
                    $"Stream {stream.Id} not processed before GOAWAY ({errorCode})", stream.Id));
        }
    }

    private async ValueTask TryGoAwayAsync(Http2ErrorCode errorCode)
    {
        try
        {
            var lastStreamId = 0; // we accept no server-initiated streams
            await WriteFramesAsync((lastStreamId, errorCode),
                static (o, s) => Http2FrameWriter.WriteGoAway(o, s.lastStreamId, s.errorCode))
                .AsTask().WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception)
        {
            // The connection is failing anyway.
        }
    }
}
