using System.Net.Sockets;
using Mesh.Bench.Modes;

namespace Mesh.Bench.Scenarios;

/// <summary>
/// (d) Resident memory of the hop processes per idle tunneled connection: open <c>count</c> connections through the
/// mode, exchange one byte on each (so every hop holds its tunnel), and compare the hops' VmRSS (/proc/PID/status)
/// with what it was before. Our .NET hops are asked for a full blocking GC before both readings, so the difference
/// is live memory, not garbage that happened to be uncollected; stunnel and haproxy are read as they are.
/// </summary>
internal static class IdleMemory
{
    public static async Task<double> RunAsync(RunningMode mode, int count)
    {
        if (!mode.HasProcesses) return double.NaN;
        await mode.CollectGarbageAsync();
        var before = mode.RssKiB();
        var sockets = new Socket[count];
        try
        {
            const int threads = 16;
            Connections.OnThreads(threads, t =>
            {
                var one = new byte[1];
                for (var i = t; i < count; i += threads)
                {
                    sockets[i] = Connections.Open(mode.EntryPort, (byte)'E', timeoutMs: 30_000);
                    Connections.SendAll(sockets[i], one);
                    if (!Connections.ReceiveExactly(sockets[i], one)) throw new InvalidOperationException($"{mode.Name}: echo missing");
                }
            });
            await mode.CollectGarbageAsync();
            return (mode.RssKiB() - before) / (double)count;
        }
        finally
        {
            foreach (var s in sockets) s?.Dispose();
            await Task.Delay(500); // let the hops tear the tunnels down before the next measurement
        }
    }
}
