using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;

namespace Mesh.Node.Hbone.Http2;

/// <summary>
/// One client stream of an <see cref="Http2ClientConnection"/> (an HBONE CONNECT tunnel): response headers, a byte
/// stream up (DATA, flow controlled by the peer's windows) and a byte stream down (credited back as it is read).
/// </summary>
public sealed class Http2ClientStream
{
    private readonly Http2ClientConnection _connection;
    // Unbounded on purpose: our advertised window already bounds what the peer may send.
    private readonly Pipe _inbound = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly TaskCompletionSource<IReadOnlyList<HeaderField>> _response =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _endedSides; // 2 once END_STREAM went both ways
    private int _remoteEnded;
    private bool _inboundClosed; // guarded by lock (_inbound)

    internal Http2ClientStream(Http2ClientConnection connection, int id, long sendWindow)
    {
        _connection = connection;
        Id = id;
        SendWindow = sendWindow;
    }

    public int Id { get; }

    /// <summary>Response headers (including <c>:status</c>); faults if the stream is reset or the connection dies.</summary>
    public Task<IReadOnlyList<HeaderField>> ResponseHeaders => _response.Task;

    /// <summary>Peer's stream send window; guarded by the connection's window lock.</summary>
    internal long SendWindow { get; set; }

    /// <summary>Set when the stream was reset or its connection failed; writes then throw it.</summary>
    internal Exception? Failure { get; private set; }

    /// <summary>The response <c>:status</c> (200 = tunnel established for CONNECT).</summary>
    public async Task<int> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var headers = await ResponseHeaders.WaitAsync(cancellationToken);
        foreach (var (name, value) in headers)
        {
            if (name == ":status" && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status))
                return status;
        }
        throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"Response on stream {Id} has no valid :status", Id);
    }

    /// <summary>Sends <paramref name="data"/> as DATA frames, waiting for flow-control credit as needed.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _connection.SendDataAsync(this, data, endStream: false, cancellationToken);

    /// <summary>Half-closes our side (empty DATA with END_STREAM).</summary>
    public async ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        await _connection.SendDataAsync(this, ReadOnlyMemory<byte>.Empty, endStream: true, cancellationToken);
        EndSide();
    }

    /// <summary>Reads response body octets; 0 once the peer ended the stream.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await _inbound.Reader.ReadAsync(cancellationToken);
        var available = result.Buffer;
        if (available.IsEmpty && result.IsCompleted)
        {
            _inbound.Reader.AdvanceTo(available.End);
            return 0;
        }
        var n = (int)Math.Min(buffer.Length, available.Length);
        available.Slice(0, n).CopyTo(buffer.Span);
        _inbound.Reader.AdvanceTo(available.GetPosition(n));
        await _connection.OnConsumedAsync(this, n, cancellationToken);
        return n;
    }

    /// <summary>Stream-level octets read but not yet credited back with WINDOW_UPDATE.</summary>
    internal int PendingCredit { get; set; }

    internal void OnHeaders(IReadOnlyList<HeaderField> fields, bool endStream)
    {
        // The first block is the response; a later one is trailers, which HBONE does not use.
        _response.TrySetResult(fields);
        if (endStream)
            OnRemoteEnd();
    }

    /// <summary>Queues received DATA for <see cref="ReadAsync"/>; false if the inbound side is already closed.</summary>
    internal bool OnData(ReadOnlySpan<byte> data)
    {
        // The reader loop writes while an app thread may Fail the stream: the lock keeps Write after Complete out.
        lock (_inbound)
        {
            if (_inboundClosed)
                return false;
            _inbound.Writer.Write(data);
            // Never pauses (pauseWriterThreshold 0), so this completes synchronously and just wakes the reader.
            var flush = _inbound.Writer.FlushAsync();
            if (!flush.IsCompleted)
                _ = flush.AsTask();
            return true;
        }
    }

    internal void OnRemoteEnd()
    {
        if (!_response.Task.IsCompleted)
            _response.TrySetException(new Http2ProtocolException(Http2ErrorCode.ProtocolError,
                $"Stream {Id} ended without response headers", Id));
        Volatile.Write(ref _remoteEnded, 1);
        CompleteInbound(null);
        EndSide();
    }

    internal void Fail(Exception failure)
    {
        Failure ??= failure;
        _response.TrySetException(failure);
        CompleteInbound(failure);
        _connection.RemoveStream(this);
    }

    private void CompleteInbound(Exception? failure)
    {
        lock (_inbound)
        {
            if (_inboundClosed)
                return;
            _inboundClosed = true;
            _inbound.Writer.Complete(failure);
        }
    }

    /// <summary>True once the peer sent END_STREAM; more DATA is then a STREAM_CLOSED error.</summary>
    internal bool RemoteEnded => Volatile.Read(ref _remoteEnded) == 1;

    /// <summary>Abandons the stream: RST_STREAM to the peer, local readers and writers fail.</summary>
    public async ValueTask ResetAsync(Http2ErrorCode errorCode = Http2ErrorCode.Cancel)
    {
        Fail(new IOException($"HTTP/2 stream {Id} was reset locally ({errorCode})."));
        await _connection.SendResetAsync(Id, errorCode);
    }

    private void EndSide()
    {
        if (Interlocked.Increment(ref _endedSides) == 2)
            _connection.RemoveStream(this);
    }
}
