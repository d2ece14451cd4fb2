using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using Mesh.Node.Proxy;

namespace Mesh.Node.Hbone.Http2;

/// <summary>
/// Pumps a socket through the stream, both ways, with half-close — the HBONE data path. App → stream: wait for the
/// socket to become readable with a zero-byte receive (an idle tunnel holds no buffer), take window credit, receive
/// straight into a pooled buffer behind a 9-octet gap and send it as one DATA frame in one transport write.
/// Stream → app: drain the inbound queue segment by segment, crediting the window as the app takes the bytes.
/// </summary>
public sealed partial class Http2Stream
{
    /// <summary>
    /// Relays until both directions ended, one failed or <paramref name="cancellationToken"/> fired; closes the socket
    /// (with RST when cut) and resets the stream if it did not end cleanly. Never throws for I/O failures.
    /// </summary>
    /// <param name="app">Connected socket; owned from now on.</param>
    /// <param name="tunnelIsDownstream">
    /// False on the client (the app opened the connection: it is downstream), true on the server (the tunnel is the
    /// side that opened it); decides how bytes and failures are attributed in the <see cref="RelayResult"/>.
    /// </param>
    public async Task<RelayResult> RelayAsync(Socket app, bool tunnelIsDownstream, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var state = new RelayState(
            tunnelIsDownstream ? RelaySide.Upstream : RelaySide.Downstream,
            tunnelIsDownstream ? RelaySide.Downstream : RelaySide.Upstream);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long fromApp = 0, fromTunnel = 0;
        try
        {
            var toTunnel = PumpAppToTunnelAsync(app, state, stop);
            var toApp = PumpTunnelToAppAsync(app, state, stop);
            fromApp = await toTunnel.ConfigureAwait(false);
            fromTunnel = await toApp.ConfigureAwait(false);
        }
        finally
        {
            var abortive = state.Error is not null || state.Cut;
            if (abortive)
                Reset(Http2ErrorCode.Cancel, state.Cut ? "relay cancelled" : "relay failed");
            DiscardInbound();
            SocketClosing.Close(app, abortive);
        }
        var outcome = state.Error is not null ? RelayOutcome.Failed : state.Cut ? RelayOutcome.Cancelled : RelayOutcome.Completed;
        var (up, down) = tunnelIsDownstream ? (fromTunnel, fromApp) : (fromApp, fromTunnel);
        return new RelayResult(up, down, Stopwatch.GetElapsedTime(started), (RelaySide)state.FirstClosed, outcome, state.ErrorSide, state.Error);
    }

    private async Task<long> PumpAppToTunnelAsync(Socket app, RelayState state, CancellationTokenSource stop)
    {
        long total = 0;
        var failing = state.AppSide;
        byte[]? buffer = null;
        var credit = 0;
        var maybeMore = false;
        try
        {
            while (true)
            {
                failing = state.AppSide;
                // Rent only with bytes queued (or EOF): a burst that ended on a full chunk must not park a buffer.
                if (!maybeMore || app.Available == 0)
                    await SocketReadiness.WaitReadableAsync(app, stop.Token).ConfigureAwait(false);
                failing = state.TunnelSide;
                credit = await _connection.AcquireSendCreditAsync(this, _connection.SendChunkSize, stop.Token).ConfigureAwait(false);
                buffer = ArrayPool<byte>.Shared.Rent(Http2FrameHeader.Size + credit);
                failing = state.AppSide;
                var read = await app.ReceiveAsync(buffer.AsMemory(Http2FrameHeader.Size, credit), SocketFlags.None, stop.Token)
                    .ConfigureAwait(false);
                failing = state.TunnelSide;
                // A full read suggests more is waiting: skip the readiness wait next time.
                maybeMore = read == credit;
                _connection.ReturnSendCredit(this, credit - read);
                credit = 0; // from here WriteDataAsync owns the credit of `read`
                if (read == 0)
                {
                    Interlocked.CompareExchange(ref state.FirstClosed, (int)state.AppSide, (int)RelaySide.None);
                    await _connection.WriteDataAsync(this, buffer, 0, endStream: true, stop.Token).ConfigureAwait(false);
                    return total;
                }
                await _connection.WriteDataAsync(this, buffer, read, endStream: false, stop.Token).ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
                total += read;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            state.MarkCut();
            return total;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            state.Fail(failing, e);
            await stop.CancelAsync().ConfigureAwait(false);
            return total;
        }
        finally
        {
            if (credit > 0)
                _connection.ReturnSendCredit(this, credit);
            if (buffer is not null)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<long> PumpTunnelToAppAsync(Socket app, RelayState state, CancellationTokenSource stop)
    {
        long total = 0;
        var failing = state.TunnelSide;
        var reader = _inbound.Reader;
        try
        {
            while (true)
            {
                failing = state.TunnelSide;
                var result = await reader.ReadAsync(stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                failing = state.AppSide;
                foreach (var segment in buffer)
                {
                    for (var sent = 0; sent < segment.Length;)
                        sent += await app.SendAsync(segment[sent..], SocketFlags.None, stop.Token).ConfigureAwait(false);
                }
                var length = (int)buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (length > 0)
                    Consumed(length);
                total += length;
                if (result.IsCompleted)
                {
                    Interlocked.CompareExchange(ref state.FirstClosed, (int)state.TunnelSide, (int)RelaySide.None);
                    app.Shutdown(SocketShutdown.Send);
                    return total;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            state.MarkCut();
            return total;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            state.Fail(failing, e);
            await stop.CancelAsync().ConfigureAwait(false);
            return total;
        }
    }

    private sealed class RelayState(RelaySide appSide, RelaySide tunnelSide)
    {
        public readonly RelaySide AppSide = appSide;
        public readonly RelaySide TunnelSide = tunnelSide;
        public int FirstClosed = (int)RelaySide.None;
        private readonly Lock _gate = new();
        private bool _cut;

        public bool Cut
        {
            get { lock (_gate) return _cut; }
        }

        public Exception? Error { get; private set; }
        public RelaySide ErrorSide { get; private set; }

        /// <summary>Cancelled: by the caller, or by the other direction after it failed (then Error wins).</summary>
        public void MarkCut()
        {
            lock (_gate)
            {
                if (Error is null)
                    _cut = true;
            }
        }

        public void Fail(RelaySide side, Exception error)
        {
            lock (_gate)
            {
                if (Error is not null)
                    return;
                Error = error;
                ErrorSide = side;
                _cut = false;
            }
        }
    }
}
