using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace Mesh.Node.Hbone.Http2;

/// <summary>
/// Minimal HTTP/2 client over an already connected transport (TLS with ALPN h2 in production), enough for HBONE:
/// classic CONNECT streams (no <c>:scheme</c>/<c>:path</c>, which HttpClient cannot do — DESIGN.md §8), flow control
/// both ways, SETTINGS/PING/GOAWAY/RST_STREAM handling. Owns and disposes the transport.
/// </summary>
public sealed partial class Http2ClientConnection : IAsyncDisposable
{
    /// <summary>Per-stream receive window (ztunnel's 4 MiB).</summary>
    public const int StreamWindowSize = 4 * 1024 * 1024;

    /// <summary>Connection receive window (ztunnel's 16 MiB).</summary>
    public const int ConnectionWindowSize = 16 * 1024 * 1024;

    private readonly Stream _transport;
    private readonly PipeWriter _output;
    private readonly Http2FrameReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly HpackEncoder _encoder = new();
    private readonly HpackDecoder _decoder = new();
    private readonly Http2HeaderBlockAssembler _headerBlock = new(HpackDecoder.DefaultMaxHeaderListSize);
    private readonly Http2Settings _peerSettings = new();
    private readonly ConcurrentDictionary<int, Http2ClientStream> _streams = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _windowLock = new();
    private long _connectionSendWindow = Http2Settings.DefaultInitialWindowSize;
    private TaskCompletionSource _windowChanged = NewSignal();
    private int _connectionPendingCredit;
    private int _nextStreamId = 1;
    private Exception? _closed;
    private Task _readLoop = Task.CompletedTask;

    public Http2ClientConnection(Stream transport)
    {
        _transport = transport;
        _output = PipeWriter.Create(transport, new StreamPipeWriterOptions(leaveOpen: true));
        _reader = new Http2FrameReader(PipeReader.Create(transport, new StreamPipeReaderOptions(leaveOpen: true)));
    }

    /// <summary>Number of open streams.</summary>
    public int StreamCount => _streams.Count;

    /// <summary>Completes when the connection is closed (the read loop ended).</summary>
    public Task Completion => _readLoop;

    /// <summary>Sends the preface, our SETTINGS and the connection window, then starts reading.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _output.Write(Http2FrameWriter.ClientPreface);
            Http2FrameWriter.WriteSettings(_output,
            [
                new(Http2SettingId.EnablePush, 0),
                new(Http2SettingId.InitialWindowSize, StreamWindowSize),
                new(Http2SettingId.MaxHeaderListSize, HpackDecoder.DefaultMaxHeaderListSize),
            ]);
            Http2FrameWriter.WriteWindowUpdate(_output, 0, ConnectionWindowSize - Http2Settings.DefaultInitialWindowSize);
            await _output.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
    }

    /// <summary>
    /// Opens a stream with a classic CONNECT to <paramref name="authority"/> ("ip:port") plus extra request headers
    /// (forwarded, baggage, traceparent). Await <see cref="Http2ClientStream.GetStatusAsync"/> for the answer.
    /// </summary>
    public async Task<Http2ClientStream> ConnectAsync(
        string authority, IReadOnlyList<HeaderField>? headers = null, CancellationToken cancellationToken = default)
    {
        var block = new ArrayBufferWriter<byte>(256);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_closed is not null)
                throw new IOException("The HTTP/2 connection is closed.", _closed);
            // Ids are assigned under the write lock so HEADERS leave in increasing id order (§5.1.1).
            var id = _nextStreamId;
            _nextStreamId += 2;
            Http2ClientStream stream;
            lock (_windowLock)
                stream = new Http2ClientStream(this, id, _peerSettings.InitialWindowSize);
            _streams[id] = stream;

            _encoder.Encode(":method", "CONNECT", block);
            _encoder.Encode(":authority", authority, block);
            foreach (var (name, value) in headers ?? [])
                _encoder.Encode(name, value, block);
            Http2FrameWriter.WriteHeaders(_output, id, block.WrittenSpan, endStream: false, _peerSettings.MaxFrameSize);
            await _output.FlushAsync(cancellationToken);
            return stream;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal async ValueTask SendDataAsync(
        Http2ClientStream stream, ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        if (data.IsEmpty && !endStream)
            return;
        do
        {
            int take;
            Task? wait = null;
            lock (_windowLock)
            {
                // _closed too: Close() wakes waiters before it fails each stream.
                if ((stream.Failure ?? _closed) is { } failure)
                    throw new IOException($"HTTP/2 stream {stream.Id} is closed.", failure);
                var window = Math.Min(_connectionSendWindow, stream.SendWindow);
                take = (int)Math.Clamp(window, 0, Math.Min(data.Length, _peerSettings.MaxFrameSize));
                if (take > 0)
                {
                    _connectionSendWindow -= take;
                    stream.SendWindow -= take;
                }
                else if (!data.IsEmpty)
                {
                    wait = _windowChanged.Task;
                }
            }
            if (wait is not null)
            {
                await wait.WaitAsync(cancellationToken);
                continue;
            }

            var chunk = data[..take];
            data = data[take..];
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                Http2FrameWriter.WriteData(_output, stream.Id, chunk.Span, endStream && data.IsEmpty);
                await _output.FlushAsync(cancellationToken);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        while (!data.IsEmpty);
    }

    /// <summary>Credits consumed octets back to the peer in batches (a quarter window) to save frames.</summary>
    internal async ValueTask OnConsumedAsync(Http2ClientStream stream, int octets, CancellationToken cancellationToken)
    {
        int streamCredit = 0, connectionCredit = 0;
        lock (_windowLock)
        {
            stream.PendingCredit += octets;
            _connectionPendingCredit += octets;
            if (stream.PendingCredit >= StreamWindowSize / 4)
                (streamCredit, stream.PendingCredit) = (stream.PendingCredit, 0);
            if (_connectionPendingCredit >= ConnectionWindowSize / 4)
                (connectionCredit, _connectionPendingCredit) = (_connectionPendingCredit, 0);
        }
        if (streamCredit > 0 || connectionCredit > 0)
            await SendWindowUpdatesAsync(stream.Id, streamCredit, connectionCredit, cancellationToken);
    }

    internal void RemoveStream(Http2ClientStream stream) => _streams.TryRemove(stream.Id, out _);

    internal async ValueTask SendResetAsync(int streamId, Http2ErrorCode errorCode)
    {
        if (_closed is null)
            await WriteFramesAsync((streamId, errorCode), static (o, s) => Http2FrameWriter.WriteRstStream(o, s.streamId, s.errorCode));
    }

    private async ValueTask SendWindowUpdatesAsync(int streamId, int streamCredit, int connectionCredit, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            if (_closed is not null)
                return;
            if (streamCredit > 0 && _streams.ContainsKey(streamId))
                Http2FrameWriter.WriteWindowUpdate(_output, streamId, streamCredit);
            if (connectionCredit > 0)
                Http2FrameWriter.WriteWindowUpdate(_output, 0, connectionCredit);
            await _output.FlushAsync(ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes frames under the write lock and flushes them.</summary>
    private async ValueTask WriteFramesAsync<TState>(TState state, Action<PipeWriter, TState> write)
    {
        await _writeLock.WaitAsync(_shutdown.Token);
        try
        {
            write(_output, state);
            await _output.FlushAsync(_shutdown.Token);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_closed is null)
        {
            try
            {
                await WriteFramesAsync(0, static (o, _) => Http2FrameWriter.WriteGoAway(o, 0, Http2ErrorCode.NoError))
                    .AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (Exception)
            {
                // Best effort: the transport may already be gone.
            }
        }
        Close(new ObjectDisposedException(nameof(Http2ClientConnection)));
        _shutdown.Cancel();
        await _transport.DisposeAsync();
        try
        {
            await _readLoop;
        }
        catch (Exception)
        {
            // Already surfaced to the streams.
        }
        _headerBlock.Dispose();
        _shutdown.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every writer waiting for flow-control credit (call under the window lock).</summary>
    private void SignalWindowChanged()
    {
        var signal = _windowChanged;
        _windowChanged = NewSignal();
        signal.TrySetResult();
    }

    private void Close(Exception reason)
    {
        lock (_windowLock)
        {
            _closed ??= reason;
            SignalWindowChanged();
        }
        foreach (var stream in _streams.Values)
            stream.Fail(reason);
    }
}
