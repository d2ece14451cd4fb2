using System.Net.Sockets;
using Mesh.Bench.Modes;

namespace Mesh.Bench.Scenarios;

/// <summary>
/// (d) Resident memory of the hop processes per idle tunneled connection: open <c>count</c> connections through the
/// mode, exchange one byte on each (so every hop holds its tunnel), and compare the hops' VmRSS (/proc/PID/status)
/// with what it was before. Every measurement starts a fresh instance of the mode (warmed with a few connections):
/// a process that already held this many tunnels keeps its pools and heap, and a second reading would see little
/// growth. Our .NET hops are asked for a full blocking GC before both readings, so the difference is live memory,
/// not garbage that happened to be uncollected; stunnel and haproxy are read as they are.
/// </summary>
internal static class IdleMemory
{
    public static async Task<double> RunAsync(Mode definition, ModeContext context, int count)
    {
        if (definition.Key == "direct") return double.NaN;
        using var mode = await definition.StartAsync(context);
        await Task.Run(() => ConnectionRate.Run(mode, new ConnectionRate.Settings(4, TimeSpan.FromSeconds(0.3), TimeSpan.Zero)));
        await Task.Delay(200);
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
