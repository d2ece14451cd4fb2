using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;

namespace Mesh.Node.Proxy;

/// <summary>
/// Copies bytes both ways between two connected TCP sockets until both directions end. EOF on one side is passed
/// on as a half-close (shutdown(SHUT_WR)) of the other, and the opposite direction keeps flowing. Each direction waits
/// for data with a zero-byte receive and rents a buffer from <see cref="ArrayPool{T}.Shared"/> only while data is
/// flowing: it is returned as soon as a read comes back short (the socket has drained), so an idle relayed connection
/// holds no buffer at all. The socket ValueTask APIs do not allocate per chunk.
/// The relay owns both sockets: they are closed when it returns. Failures and cancellation are reported in the
/// <see cref="RelayResult"/>, never thrown.
/// </summary>
public static class TcpRelay
{
    /// <summary>Per-direction buffer size (ztunnel also copies in large chunks).</summary>
    public const int DefaultBufferSize = 64 * 1024;

    /// <summary>Relays until both directions reach EOF, a socket fails, or <paramref name="ct"/> fires.</summary>
    /// <param name="downstream">The accepted (client-side) socket.</param>
    /// <param name="upstream">The socket the relay connected to the destination.</param>
    /// <param name="ct">Cancel to close both sockets now (e.g. policy changed).</param>
    /// <param name="bufferSize">Bytes per direction.</param>
    public static Task<RelayResult> RunAsync(Socket downstream, Socket upstream, CancellationToken ct = default, int bufferSize = DefaultBufferSize) =>
        RunAsync(downstream, upstream, ArrayPool<byte>.Shared, ct, bufferSize);

    /// <summary>As <see cref="RunAsync(Socket, Socket, CancellationToken, int)"/>, renting from <paramref name="pool"/> (tests count rentals).</summary>
    internal static async Task<RelayResult> RunAsync(Socket downstream, Socket upstream, ArrayPool<byte> pool, CancellationToken ct, int bufferSize)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);

        var started = Stopwatch.GetTimestamp();
        var state = new State();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        long up = 0, down = 0;
        try
        {
            var upTask = PumpAsync(downstream, upstream, RelaySide.Downstream, pool, bufferSize, state, stop);
            var downTask = PumpAsync(upstream, downstream, RelaySide.Upstream, pool, bufferSize, state, stop);
            up = await upTask.ConfigureAwait(false);
            down = await downTask.ConfigureAwait(false);
        }
        finally
        {
            // A clean end closes with FIN; a cut one resets, so neither peer mistakes it for a complete stream.
            var abortive = state.Error is not null || state.Cut;
            SocketClosing.Close(downstream, abortive);
            SocketClosing.Close(upstream, abortive);
        }

        var outcome = state.Error is not null ? RelayOutcome.Failed : state.Cut ? RelayOutcome.Cancelled : RelayOutcome.Completed;
        return new RelayResult(up, down, Stopwatch.GetElapsedTime(started), (RelaySide)state.FirstClosed, outcome, state.ErrorSide, state.Error);
    }

    private static async Task<long> PumpAsync(Socket from, Socket to, RelaySide fromSide, ArrayPool<byte> pool, int bufferSize,
        State state, CancellationTokenSource stop)
    {
        var toSide = fromSide == RelaySide.Downstream ? RelaySide.Upstream : RelaySide.Downstream;
        byte[]? buffer = null;
        long total = 0;
        var failing = fromSide;
        try
        {
            while (true)
            {
                // Idle: wait for data (or EOF) without holding a buffer.
                failing = fromSide;
                await SocketReadiness.WaitReadableAsync(from, stop.Token).ConfigureAwait(false);
                buffer = pool.Rent(bufferSize);
                var memory = buffer.AsMemory(0, bufferSize);
                int read;
                do
                {
                    failing = fromSide;
                    read = await from.ReceiveAsync(memory, SocketFlags.None, stop.Token).ConfigureAwait(false);
                    failing = toSide;
                    if (read == 0)
                    {
                        Interlocked.CompareExchange(ref state.FirstClosed, (int)fromSide, (int)RelaySide.None);
                        to.Shutdown(SocketShutdown.Send);
                        return total;
                    }
                    for (var sent = 0; sent < read;)
                        sent += await to.SendAsync(memory[sent..read], SocketFlags.None, stop.Token).ConfigureAwait(false);
                    total += read;
                }
                // A full read with more queued: keep the buffer. Otherwise give it back before waiting again, so even a
                // burst that ends exactly on a buffer boundary leaves nothing rented while the socket is idle.
                while (read == bufferSize && from.Available > 0);
                pool.Return(buffer);
                buffer = null;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cut: by the caller, or by the other direction after it failed.
            if (state.Error is null)
                state.Cut = true;
            return total;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            state.Fail(failing, e);
            stop.Cancel();
            return total;
        }
        finally
        {
            if (buffer is not null)
                pool.Return(buffer);
        }
    }

    private sealed class State
    {
        public int FirstClosed = (int)RelaySide.None;
        public volatile bool Cut;
        private readonly Lock _gate = new();

        public Exception? Error { get; private set; }
        public RelaySide ErrorSide { get; private set; }

        public void Fail(RelaySide side, Exception error)
        {
            lock (_gate)
            {
                if (Error is not null)
                    return;
                Error = error;
                ErrorSide = side;
                Cut = false;
            }
        }
    }
}
