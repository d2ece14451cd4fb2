using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hbone.Http2;

/// <summary>
/// One HTTP/2 connection over an established transport (TLS with ALPN h2 for HBONE), client or server role. It reads
/// frames with its own pooled buffer and parses them in place, streams DATA payloads into per-stream queues, enforces
/// flow control both ways and answers SETTINGS/PING/GOAWAY/RST_STREAM. Writes are serialized by one lock; frames the
/// reader must send (ACKs, WINDOW_UPDATE, RST) are queued so the reader never blocks on the transport — two peers
/// whose readers both waited on full send buffers would deadlock. Owns and disposes the transport.
/// </summary>
public sealed partial class Http2Connection : IAsyncDisposable
{
    private readonly Stream _transport;
    private readonly Http2ConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly Func<Http2Stream, IReadOnlyList<HeaderField>, bool>? _onRequest;
    private readonly Lock _sync = new(); // streams, windows, lifecycle
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private readonly Http2Settings _peerSettings = new();
    private readonly TaskCompletionSource _peerSettingsReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abort = new();
    private readonly HpackEncoder _encoder = new();
    private readonly HpackDecoder _decoder;
    private readonly Http2HeaderBlockAssembler _headerBlock;

    private long _sendWindow = Http2Settings.DefaultInitialWindowSize; // what we may still send on the connection
    private long _recvWindow; // what the peer may still send on the connection
    private int _recvPendingCredit;
    private List<Http2Stream>? _connectionWindowWaiters;
    private int _nextStreamId; // client: next odd id to open
    private int _lastPeerStreamId; // server: highest id the peer opened
    private int _reserved; // client: slots promised by TryReserveStream but not yet opened
    private int _goAwayLastStreamId = int.MaxValue; // from the peer's GOAWAY
    private bool _draining; // GOAWAY sent or received: no new streams
    private bool _closing;
    private Exception? _failure;
    private long _lastFrameTicks = Environment.TickCount64;
    private Task _readLoop = Task.CompletedTask;

    /// <param name="transport">Connected transport; owned from now on.</param>
    /// <param name="onRequest">
    /// Server role: called on the reading thread for each new stream with its request headers. Return false to refuse
    /// the stream (REFUSED_STREAM). Must not block: start the work elsewhere.
    /// </param>
    public Http2Connection(Stream transport, Http2ConnectionOptions options, ILogger? logger = null,
        Func<Http2Stream, IReadOnlyList<HeaderField>, bool>? onRequest = null)
    {
        if (options.IsServer && onRequest is null)
            throw new ArgumentException("A server connection needs a request callback.", nameof(onRequest));
        _transport = transport;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _onRequest = onRequest;
        _decoder = new HpackDecoder(HpackDecoder.DefaultHeaderTableSize, options.MaxHeaderListSize);
        _headerBlock = new Http2HeaderBlockAssembler(options.MaxHeaderListSize);
        _recvWindow = options.ConnectionWindowSize;
        _nextStreamId = options.IsServer ? 2 : 1;
    }

    public bool IsServer => _options.IsServer;

    /// <summary>Completes when the connection is closed and the transport disposed. Never faults.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Streams open right now (both directions not yet finished and not reset).</summary>
    public int StreamCount
    {
        get { lock (_sync) return _streams.Count; }
    }

    /// <summary>GOAWAY was sent or received (or the connection is closing): no new streams.</summary>
    public bool IsDraining
    {
        get { lock (_sync) return _draining || _closing || _failure is not null; }
    }

    /// <summary>Streams this connection may carry at once: ours and the peer's SETTINGS_MAX_CONCURRENT_STREAMS.</summary>
    public int MaxOpenStreams
    {
        get { lock (_sync) return (int)Math.Min((uint)_options.MaxConcurrentStreams, _peerSettings.MaxConcurrentStreams); }
    }

    /// <summary>Raised (outside locks) when a stream closed; pools use it for idle tracking.</summary>
    public event Action<Http2Connection>? StreamClosed;

    /// <summary>Environment.TickCount64 of the last frame received.</summary>
    public long LastFrameTicks => Volatile.Read(ref _lastFrameTicks);

    /// <summary>
    /// Sends our preface (client) and SETTINGS, starts reading, and waits for the peer's first SETTINGS — so a TLS 1.3
    /// client certificate the server rejected, or a peer that is not HTTP/2, fails here and not on the first stream.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var preface = new ArrayBufferWriter<byte>(128);
        if (!IsServer)
            preface.Write(Http2FrameWriter.ClientPreface);
        Http2Setting[] settings = IsServer
            ?
            [
                new(Http2SettingId.MaxConcurrentStreams, (uint)_options.MaxConcurrentStreams),
                new(Http2SettingId.InitialWindowSize, (uint)_options.StreamWindowSize),
                new(Http2SettingId.MaxFrameSize, (uint)_options.MaxFrameSize),
                new(Http2SettingId.MaxHeaderListSize, (uint)_options.MaxHeaderListSize),
            ]
            :
            [
                new(Http2SettingId.EnablePush, 0),
                new(Http2SettingId.MaxConcurrentStreams, 0),
                new(Http2SettingId.InitialWindowSize, (uint)_options.StreamWindowSize),
                new(Http2SettingId.MaxFrameSize, (uint)_options.MaxFrameSize),
                new(Http2SettingId.MaxHeaderListSize, (uint)_options.MaxHeaderListSize),
            ];
        Http2FrameWriter.WriteSettings(preface, settings);
        if (_options.ConnectionWindowSize > Http2Settings.DefaultInitialWindowSize)
            Http2FrameWriter.WriteWindowUpdate(preface, 0, _options.ConnectionWindowSize - Http2Settings.DefaultInitialWindowSize);
        await WriteRawAsync(preface.WrittenMemory, cancellationToken);

        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
        if (_options.KeepAliveInterval != Timeout.InfiniteTimeSpan)
            _ = Task.Run(KeepAliveLoopAsync, CancellationToken.None);
        try
        {
            await _peerSettingsReceived.Task.WaitAsync(cancellationToken);
        }
        catch
        {
            Abort(new IOException("HTTP/2 connection setup did not complete."));
            throw;
        }
    }

    /// <summary>
    /// Client role: claims a stream slot if the connection can take one more stream (not draining, below
    /// <see cref="MaxOpenStreams"/> counting other claims). Pass the claim to <see cref="OpenStreamAsync"/>.
    /// </summary>
    public bool TryReserveStream()
    {
        lock (_sync)
        {
            if (_draining || _closing || _failure is not null)
                return false;
            var limit = Math.Min((uint)_options.MaxConcurrentStreams, _peerSettings.MaxConcurrentStreams);
            if ((uint)(_streams.Count + _reserved) >= limit)
                return false;
            _reserved++;
            return true;
        }
    }

    /// <summary>Gives back a slot from <see cref="TryReserveStream"/> that was not used.</summary>
    public void ReleaseReservation()
    {
        lock (_sync)
            _reserved--;
        CloseIfDrained();
    }

    /// <summary>Claimed slots plus open streams (what the pool counts against the limit).</summary>
    public int StreamsInUse
    {
        get { lock (_sync) return _streams.Count + _reserved; }
    }

    /// <summary>
    /// Client role: opens a stream with <paramref name="headers"/> (pseudo-headers first) and returns it without
    /// waiting for the response. <paramref name="reserved"/>: a slot from <see cref="TryReserveStream"/> is consumed.
    /// </summary>
    /// <exception cref="Http2StreamException">The connection is draining or closed (retryable).</exception>
    public async Task<Http2Stream> OpenStreamAsync(IReadOnlyList<HeaderField> headers, bool reserved, CancellationToken cancellationToken)
    {
        if (IsServer)
            throw new InvalidOperationException("Only the client opens streams.");
        var block = new ArrayBufferWriter<byte>(256);
        var frames = new ArrayBufferWriter<byte>(320);
        try
        {
            await _writeLock.WaitAsync(cancellationToken);
        }
        catch
        {
            if (reserved)
                ReleaseReservation();
            throw;
        }
        Http2Stream stream;
        try
        {
            lock (_sync)
            {
                if (reserved)
                    _reserved--;
                if (_draining || _closing || _failure is not null || _nextStreamId < 0)
                    throw new Http2StreamException("The HTTP/2 connection no longer accepts streams.", Http2ErrorCode.RefusedStream,
                        retryable: true, _failure);
                // Ids are taken under the write lock so HEADERS leave in increasing id order (§5.1.1).
                var id = _nextStreamId;
                _nextStreamId += 2;
                stream = new Http2Stream(this, id, _peerSettings.InitialWindowSize, _options.StreamWindowSize, null);
                _streams.Add(id, stream);
            }
            PrepareEncoder();
            foreach (var (name, value) in headers)
                _encoder.Encode(name, value, block);
            Http2FrameWriter.WriteHeaders(frames, stream.Id, block.WrittenSpan, endStream: false, _peerSettings.MaxFrameSize);
            await WriteUnderLockAsync(frames.WrittenMemory);
        }
        catch (Exception e) when (e is not Http2StreamException)
        {
            Abort(e);
            throw new Http2StreamException("The HTTP/2 connection failed while opening a stream.", Http2ErrorCode.InternalError, inner: e);
        }
        finally
        {
            _writeLock.Release();
            CloseIfDrained();
        }
        return stream;
    }

    /// <summary>
    /// Graceful shutdown: GOAWAY (NO_ERROR), no new streams; the connection closes once the open streams finish, or
    /// after the drain timeout.
    /// </summary>
    public void Drain()
    {
        int lastStreamId;
        lock (_sync)
        {
            if (_draining || _closing || _failure is not null)
                return;
            _draining = true;
            lastStreamId = _lastPeerStreamId;
        }
        QueueGoAway(lastStreamId, Http2ErrorCode.NoError);
        StartDrainTimer();
        CloseIfDrained();
    }

    /// <summary>Closes now: GOAWAY (best effort), open streams fail.</summary>
    public async ValueTask DisposeAsync()
    {
        int lastStreamId;
        lock (_sync)
            lastStreamId = _lastPeerStreamId;
        if (_failure is null)
            QueueGoAway(lastStreamId, Http2ErrorCode.NoError);
        await CloseAsync(new ObjectDisposedException(nameof(Http2Connection)));
        await Completion;
    }

    /// <summary>Fails the connection; open streams fail with <paramref name="reason"/>.</summary>
    internal void Abort(Exception reason) => _ = CloseAsync(reason);

    /// <summary>Why the connection closed, or null while it is usable.</summary>
    internal Exception? Failure => Volatile.Read(ref _failure);

    private void StartDrainTimer()
    {
        _ = Task.Delay(_options.DrainTimeout, _abort.Token).ContinueWith(
            static (t, s) =>
            {
                if (!t.IsCanceled)
                    ((Http2Connection)s!).Abort(new TimeoutException("Draining HTTP/2 connection still had streams at the drain timeout."));
            },
            this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>When draining and nothing is open any more, close cleanly.</summary>
    private void CloseIfDrained()
    {
        lock (_sync)
        {
            if (!_draining || _closing || _streams.Count > 0 || _reserved > 0)
                return;
        }
        _ = CloseAsync(null);
    }

    /// <summary>
    /// The single close path: marks the connection closed, fails open streams, flushes queued frames (GOAWAY)
    /// briefly, then disposes the transport. <paramref name="reason"/> null = clean close.
    /// </summary>
    private async Task CloseAsync(Exception? reason)
    {
        List<Http2Stream> open;
        lock (_sync)
        {
            if (_closing)
                return;
            _closing = true;
            _draining = true;
            _failure = reason ?? new Http2StreamException("The HTTP/2 connection was closed.", Http2ErrorCode.NoError);
            open = [.. _streams.Values];
            WakeConnectionWindowWaiters();
        }
        if (reason is not null && open.Count > 0)
            _logger.LogDebug(reason, "HTTP/2 connection closing with {Count} open streams", open.Count);
        foreach (var stream in open)
            stream.OnConnectionClosed(_failure);
        _peerSettingsReceived.TrySetException(_failure);

        try
        {
            // Last queued frames (GOAWAY, final RST/WINDOW_UPDATE) and TLS close_notify, bounded in time.
            using var flushBudget = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _writeLock.WaitAsync(flushBudget.Token);
            try
            {
                await FlushControlUnderLockAsync().AsTask().WaitAsync(flushBudget.Token);
                if (_transport is System.Net.Security.SslStream ssl && reason is null)
                    await ssl.ShutdownAsync().WaitAsync(flushBudget.Token);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception)
        {
            // Best effort: the peer may be gone or not reading.
        }
        _abort.Cancel();
        await _transport.DisposeAsync();
        try
        {
            await _readLoop;
        }
        catch (Exception)
        {
            // The read loop reports through CloseAsync itself.
        }
        _headerBlock.Dispose();
        _completion.TrySetResult();
    }

    /// <summary>Called by a stream once both directions ended or it was reset.</summary>
    internal void OnStreamClosed(Http2Stream stream)
    {
        lock (_sync)
        {
            if (!_streams.Remove(stream.Id))
                return;
            _connectionWindowWaiters?.Remove(stream);
        }
        StreamClosed?.Invoke(this);
        CloseIfDrained();
    }
}
