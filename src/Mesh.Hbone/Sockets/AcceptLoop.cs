using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Mesh.Hbone.Sockets;

/// <summary>
/// The one accept loop of every listener (a pod's 15001/15006/15008, SOCKS5, DNS over TCP). A failing accept — most
/// often EMFILE/ENFILE when file descriptors run out — must not become a hot loop: the loop backs off (5 ms, doubling to
/// 1 s, reset by the next successful accept), counts every failure in <see cref="AcceptFailures"/>, and logs at most one
/// line per <see cref="LogInterval"/> saying how many failures it did not log.
/// </summary>
public static class AcceptLoop
{
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(5);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Accepts on <paramref name="listener"/> until <paramref name="cancellationToken"/> fires or the listener is closed,
    /// and starts <paramref name="serve"/> on the thread pool for each accepted socket (which it then owns; it must not
    /// throw). Returns when accepting has stopped; connections still being served are the caller's to wait for.
    /// </summary>
    /// <param name="name">What listens, for the log line (e.g. "pod demo/client outbound :15001").</param>
    public static async Task RunAsync(Socket listener, string name, Func<Socket, Task> serve, ILogger log,
        AcceptFailures? failures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(serve);
        var backoff = TimeSpan.Zero;
        var lastLog = 0L;
        var unlogged = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted
                                            && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                failures?.Add();
                backoff = backoff == TimeSpan.Zero ? FirstBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                if (lastLog == 0 || Stopwatch.GetElapsedTime(lastLog) >= LogInterval)
                {
                    log.LogWarning("accept failed on {Listener}: {Error} ({Code}); backing off {Backoff} ms{Suppressed}",
                        name, e.Message, e.SocketErrorCode, (int)backoff.TotalMilliseconds,
                        unlogged > 0 ? $"; {unlogged} more failures since the last line" : "");
                    lastLog = Stopwatch.GetTimestamp();
                    unlogged = 0;
                }
                else
                {
                    unlogged++;
                }
                try
                {
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            backoff = TimeSpan.Zero;
            ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.serve(s.accepted), (serve, accepted), preferLocal: false);
        }
    }
}

/// <summary>Accept failures of a process's listeners (exported as a metric). Thread-safe.</summary>
public sealed class AcceptFailures
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    internal void Add() => Interlocked.Increment(ref _count);
}
