using System.Diagnostics;
using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Relay;

/// <summary>
/// The one copy loop of the data path: moves bytes both ways between two <see cref="RelayEnd"/>s — TCP to TCP, TCP to
/// an HBONE stream, or stream to stream — until both directions end.
/// <list type="number">
/// <item>Each direction waits for bytes without holding a buffer (zero-byte reads), moves one burst on a pooled buffer,
/// and adds it to the <see cref="RelayCounters"/>.</item>
/// <item>End of stream on one side is passed on as a half-close of the other; the opposite direction keeps flowing.</item>
/// <item>A failure on either side, or <c>cancellationToken</c> (e.g. policy closed the connection), stops both
/// directions.</item>
/// <item>Both ends are then closed: gracefully after a clean end, abortively (RST / RST_STREAM) after a cut or failure,
/// so neither peer mistakes a cut for a complete stream.</item>
/// </list>
/// Downstream is the side that opened the connection (the source), so <see cref="RelayResult.BytesUp"/> is always what
/// the source sent. Failures and cancellation are reported in the result, never thrown.
/// </summary>
public static class RelayPump
{
    public static async Task<RelayResult> RunAsync(RelayEnd downstream, RelayEnd upstream, RelayCounters? counters = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        ArgumentNullException.ThrowIfNull(upstream);
        var started = Stopwatch.GetTimestamp();
        counters ??= new RelayCounters();
        var run = new RunState();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var up = PumpAsync(downstream, upstream, RelaySide.Downstream, counters, run, stop);
            var down = PumpAsync(upstream, downstream, RelaySide.Upstream, counters, run, stop);
            await up.ConfigureAwait(false);
            await down.ConfigureAwait(false);
        }
        finally
        {
            var abortive = run.Error is not null || run.Cut;
            downstream.Close(abortive);
            upstream.Close(abortive);
        }
        var outcome = run.Error is not null ? RelayOutcome.Failed : run.Cut ? RelayOutcome.Cancelled : RelayOutcome.Completed;
        return new RelayResult(counters.Up, counters.Down, Stopwatch.GetElapsedTime(started), (RelaySide)run.FirstClosed, outcome,
            run.ErrorSide, run.Error);
    }

    /// <summary>One direction, from <paramref name="from"/> into <paramref name="to"/>, until end of stream, a failure or a cut.</summary>
    private static async Task PumpAsync(RelayEnd from, RelayEnd to, RelaySide fromSide, RelayCounters counters, RunState run,
        CancellationTokenSource stop)
    {
        try
        {
            while (true)
            {
                var moved = await from.ReadIntoAsync(to, stop.Token).ConfigureAwait(false);
                if (moved == 0)
                {
                    Interlocked.CompareExchange(ref run.FirstClosed, (int)fromSide, (int)RelaySide.None);
                    await to.CompleteWritesAsync(stop.Token).ConfigureAwait(false);
                    return;
                }
                counters.Add(fromSide, moved);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            run.MarkCut(); // by the caller, or by the other direction after it failed (then its error wins)
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException
                                      or InvalidOperationException or Http2StreamException)
        {
            var toSide = fromSide == RelaySide.Downstream ? RelaySide.Upstream : RelaySide.Downstream;
            run.Fail(to.Faulted && !from.Faulted ? toSide : fromSide, e);
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private sealed class RunState
    {
        private readonly Lock _gate = new();
        private bool _cut;
        public int FirstClosed = (int)RelaySide.None;

        public bool Cut
        {
            get { lock (_gate) return _cut; }
        }

        public Exception? Error { get; private set; }
        public RelaySide ErrorSide { get; private set; }

        public void MarkCut()
        {
            lock (_gate)
            {
                if (Error is null) _cut = true;
            }
        }

        public void Fail(RelaySide side, Exception error)
        {
            lock (_gate)
            {
                if (Error is not null) return;
                Error = error;
                ErrorSide = side;
                _cut = false;
            }
        }
    }
}
