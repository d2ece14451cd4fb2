using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;

namespace Mesh.Hbone.Http2;

/// <summary>
/// One stream of an <see cref="Http2Connection"/> (for HBONE, one CONNECT tunnel). Received DATA is queued in a pipe
/// of pooled segments, bounded by our receive window and credited back as it is consumed; sending goes through the
/// connection's windows. <see cref="Relay.RelayEnd.Of(Http2Stream)"/> pumps it (the data path); the Read/Write methods
/// serve tests and tools.
/// </summary>
public sealed partial class Http2Stream
{
    // Never pauses: our advertised window already bounds what the peer may queue here.
    private static readonly PipeOptions InboundPipeOptions = new(
        pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false);

    private readonly Http2Connection _connection;
    private readonly Pipe _inbound = new(InboundPipeOptions);
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<IReadOnlyList<HeaderField>> _headers =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _aborted;
    private int _queued; // received octets not yet consumed
    private bool _inboundCompleted;
    private bool _inboundDiscarded;
    private bool _localEnded;
    private volatile bool _remoteEnded;
    private bool _closed;
    private Http2StreamException? _failure;

    internal Http2Stream(Http2Connection connection, int id, long sendWindow, int recvWindow, IReadOnlyList<HeaderField>? requestHeaders)
    {
        _connection = connection;
        Id = id;
        SendWindow = sendWindow;
        RecvWindow = recvWindow;
        if (requestHeaders is not null)
            _headers.SetResult(requestHeaders);
    }

    public int Id { get; }

    public Http2Connection Connection => _connection;

    /// <summary>Client: the response headers (faults if the stream fails first). Server: the request headers.</summary>
    public Task<IReadOnlyList<HeaderField>> Headers => _headers.Task;

    /// <summary>Fires when the stream is reset (either side) or its connection fails.</summary>
    public CancellationToken Aborted
    {
        get
        {
            lock (_gate)
            {
                if (_failure is not null)
                    return new CancellationToken(canceled: true);
                _aborted ??= new CancellationTokenSource();
                return _aborted.Token;
            }
        }
    }

    /// <summary>The peer's stream send window; guarded by the connection.</summary>
    internal long SendWindow { get; set; }

    /// <summary>What the peer may still send on this stream; guarded by the connection.</summary>
    internal long RecvWindow { get; set; }

    /// <summary>Consumed octets not yet credited with WINDOW_UPDATE; guarded by the connection.</summary>
    internal int PendingCredit { get; set; }

    /// <summary>Set while a writer waits for window; guarded by the connection.</summary>
    internal TaskCompletionSource? WindowWaiter { get; set; }

    internal bool RemoteEnded => _remoteEnded;

    /// <summary>Received DATA, for the relay (which credits what it takes with <see cref="Consumed"/>).</summary>
    internal System.IO.Pipelines.PipeReader InboundReader => _inbound.Reader;

    /// <summary>The response <c>:status</c> (200 = tunnel established for CONNECT).</summary>
    public async Task<int> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var headers = await Headers.WaitAsync(cancellationToken);
        return ParseStatus(headers) ?? throw new Http2StreamException($"Response on stream {Id} has no valid :status",
            Http2ErrorCode.ProtocolError);
    }

    internal static int? ParseStatus(IReadOnlyList<HeaderField> headers)
    {
        foreach (var (name, value) in headers)
        {
            if (name == ":status" && value.Length == 3 &&
                int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status))
                return status;
        }
        return null;
    }

    /// <summary>Server: sends the response HEADERS at once; <paramref name="endStream"/> ends our side too.</summary>
    public ValueTask SendHeadersAsync(IReadOnlyList<HeaderField> headers, bool endStream, CancellationToken cancellationToken = default) =>
        _connection.WriteHeadersAsync(this, headers, endStream, cancellationToken);

    /// <summary>Sends <paramref name="data"/> as DATA frames, waiting for flow-control credit as needed.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            var credit = await _connection.AcquireSendCreditAsync(this, Math.Min(data.Length, _connection.SendChunkSize), cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(Http2FrameHeader.Size + credit);
            try
            {
                data.Span[..credit].CopyTo(buffer.AsSpan(Http2FrameHeader.Size));
                await _connection.WriteDataAsync(this, buffer, credit, endStream: false, cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            data = data[credit..];
        }
    }

    /// <summary>Half-closes our side (empty DATA with END_STREAM).</summary>
    public async ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Http2FrameHeader.Size);
        try
        {
            await _connection.WriteDataAsync(this, buffer, 0, endStream: true, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads received DATA; 0 once the peer ended the stream. Throws if the stream failed.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var result = await _inbound.Reader.ReadAsync(cancellationToken);
        var available = result.Buffer;
        if (available.IsEmpty && result.IsCompleted)
        {
            _inbound.Reader.AdvanceTo(available.End);
            return 0;
        }
        var n = (int)Math.Min(destination.Length, available.Length);
        available.Slice(0, n).CopyTo(destination.Span);
        _inbound.Reader.AdvanceTo(available.GetPosition(n));
        Consumed(n);
        return n;
    }

    /// <summary>Abandons the stream: RST_STREAM to the peer (unless already closed); local readers and writers fail.</summary>
    public ValueTask ResetAsync(Http2ErrorCode errorCode = Http2ErrorCode.Cancel)
    {
        Reset(errorCode, "reset by the application");
        return ValueTask.CompletedTask;
    }

    /// <summary>Resets the stream if it is still open and drops anything received but unread.</summary>
    public void Abandon()
    {
        Reset(Http2ErrorCode.Cancel, "abandoned");
        DiscardInbound();
    }

    // ---- called by the connection ----

    /// <summary>Queues received DATA; false if nobody will read it any more.</summary>
    internal bool OnData(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (_inboundCompleted)
                return false;
            var writer = _inbound.Writer;
            var length = data.Length;
            while (!data.IsEmpty)
            {
                var span = writer.GetSpan(data.Length);
                var n = Math.Min(span.Length, data.Length);
                data[..n].CopyTo(span);
                writer.Advance(n);
                data = data[n..];
            }
            _queued += length;
            // Never pauses (no threshold), so this completes synchronously and just wakes the reader.
            var flush = writer.FlushAsync();
            if (!flush.IsCompleted)
                _ = flush.AsTask();
            return true;
        }
    }

    internal void OnHeaders(IReadOnlyList<HeaderField> fields, bool endStream)
    {
        // 1xx are interim; the first final response is what CONNECT waits for. Later blocks are trailers.
        if (ParseStatus(fields) is >= 100 and < 200 && !endStream)
            return;
        _headers.TrySetResult(fields);
        if (endStream)
            OnRemoteEnd();
    }

    internal void OnRemoteEnd()
    {
        lock (_gate)
        {
            if (_remoteEnded || _closed)
                return;
            _remoteEnded = true;
            if (!_inboundCompleted)
            {
                _inboundCompleted = true;
                _inbound.Writer.Complete();
            }
        }
        _headers.TrySetException(new Http2StreamException($"Stream {Id} ended without response headers.", Http2ErrorCode.ProtocolError));
        TryClose();
    }

    internal void MarkLocalEnded()
    {
        lock (_gate)
            _localEnded = true;
    }

    /// <summary>Closes the stream once END_STREAM went both ways.</summary>
    internal void TryClose()
    {
        lock (_gate)
        {
            if (_closed || !_localEnded || !_remoteEnded)
                return;
            _closed = true;
        }
        _connection.OnStreamClosed(this);
    }

    internal void OnPeerReset(Http2ErrorCode errorCode)
    {
        var unanswered = !_headers.Task.IsCompleted;
        // Only a stream the peer never answered is safe to retry; REFUSED_STREAM guarantees it was not processed.
        var retryable = errorCode == Http2ErrorCode.RefusedStream || (errorCode == Http2ErrorCode.EnhanceYourCalm && unanswered);
        Fail(new Http2StreamException($"Stream {Id} was reset by the peer ({errorCode}).", errorCode, retryable), sendReset: false);
    }

    internal void OnConnectionClosed(Exception reason) =>
        Fail(reason as Http2StreamException
             ?? new Http2StreamException($"The HTTP/2 connection of stream {Id} closed: {reason.Message}", Http2ErrorCode.Cancel, inner: reason),
            sendReset: false);

    /// <summary>Resets the stream locally (RST_STREAM with <paramref name="errorCode"/>) unless it already closed.</summary>
    internal void Reset(Http2ErrorCode errorCode, string reason) =>
        Fail(new Http2StreamException($"Stream {Id} was reset locally: {reason} ({errorCode}).", errorCode), sendReset: true);

    private void Fail(Http2StreamException failure, bool sendReset)
    {
        CancellationTokenSource? aborted;
        lock (_gate)
        {
            if (_closed)
                return;
            _closed = true;
            _failure = failure;
            if (!_inboundCompleted)
            {
                _inboundCompleted = true;
                _inbound.Writer.Complete(failure);
            }
            aborted = _aborted;
        }
        if (sendReset)
            _connection.QueueRstStream(Id, failure.ErrorCode);
        _headers.TrySetException(failure);
        _connection.WakeStream(this);
        _connection.OnStreamClosed(this);
        aborted?.Cancel();
    }

    /// <summary>Why the stream cannot send now (reset, ended, connection gone), or null.</summary>
    internal Http2StreamException? SendClosedException()
    {
        lock (_gate)
        {
            if (_failure is not null)
                return new Http2StreamException(_failure.Message, _failure.ErrorCode, _failure.Retryable, _failure);
            if (_localEnded)
                return new Http2StreamException($"Stream {Id} already sent END_STREAM.", Http2ErrorCode.StreamClosed);
        }
        return _connection.Failure is { } connectionFailure ? ClosedException(connectionFailure) : null;
    }

    internal Http2StreamException ClosedException(Exception cause) =>
        cause as Http2StreamException ?? new Http2StreamException($"Stream {Id} failed: {cause.Message}", Http2ErrorCode.Cancel, inner: cause);

    /// <summary>Caller holds the connection's lock.</summary>
    internal void WakeWindowWaiter()
    {
        var waiter = WindowWaiter;
        WindowWaiter = null;
        waiter?.TrySetResult();
    }

    /// <summary>The consumer took <paramref name="octets"/> from the inbound queue.</summary>
    internal void Consumed(int octets)
    {
        lock (_gate)
        {
            if (_inboundDiscarded)
                return;
            _queued -= octets;
        }
        _connection.OnConsumed(this, octets);
    }

    /// <summary>Nobody reads any more: free the queue and give its octets back to the connection window.</summary>
    internal void DiscardInbound()
    {
        int dropped;
        lock (_gate)
        {
            if (_inboundDiscarded)
                return;
            _inboundDiscarded = true;
            dropped = _queued;
            _queued = 0;
            if (!_inboundCompleted)
            {
                _inboundCompleted = true;
                _inbound.Writer.Complete();
            }
        }
        _inbound.Reader.Complete();
        _connection.CreditConnection(dropped);
    }
}
