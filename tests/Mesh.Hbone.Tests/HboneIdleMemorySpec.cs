using Mesh.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Server;
using Mesh.Hbone.Relay;

using Xunit.Abstractions;
using static Mesh.Hbone.Tests.HboneTestBed;

namespace Mesh.Hbone.Tests;

/// <summary>
/// An idle tunnel (relaying, nothing flowing) must not pin buffers: ≤ 8 KB of managed heap per tunnel end. Measured
/// for client and server ends together, minus what the four sockets of a tunnel (two app pairs) cost on their own.
/// </summary>
[Collection(nameof(HboneIdleMemorySpec))]
public sealed class HboneIdleMemorySpec(ITestOutputHelper output)
{
    private const int Tunnels = 400;

    [Fact]
    public async Task Idle_tunnels_hold_at_most_8_KB_each()
    {
        await using var bed = new HboneTestBed();
        // The app behind the server accepts and then just holds its sockets (an echo app would own 64 KiB each).
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen(Tunnels * 2);
        var held = new ConcurrentBag<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                held.Add(await holder.AcceptAsync(stop.Token));
        });
        bed.Handler.App = (IPEndPoint)holder.LocalEndPoint!;

        // Warm up: pools, JIT, one connection with one round trip.
        await OpenIdleAsync(bed, 20, []);
        var before = Heap();
        var tunnels = new List<(Socket App, Task<RelayResult> Relay, IHboneTunnel Tunnel)>();
        await OpenIdleAsync(bed, Tunnels, tunnels);
        await EventuallyAsync(() => held.Count >= Tunnels + 20 && held.All(h => h.Available == 1),
            "every app connection accepted and holding the tunnel's byte (the pumps went back to waiting)");
        var after = Heap();
        var bothEnds = (after - before) / Tunnels;
        var sockets = await SocketBaselineAsync();
        var perEnd = (bothEnds - sockets) / 2;
        output.WriteLine($"{bothEnds} bytes per idle tunnel (client + server + 4 sockets); 4 idle sockets alone {sockets}; " +
                         $"=> {perEnd} bytes per tunnel end");

        foreach (var (app, _, _) in tunnels)
            app.Dispose();
        await stop.CancelAsync();
        foreach (var socket in held)
            socket.Dispose();
        await Task.WhenAll(tunnels.Select(t => t.Relay)).WaitAsync(Deadline);
        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
        }
        Assert.True(perEnd <= 8 * 1024, $"{perEnd} bytes per idle tunnel end");
    }

    private static async Task OpenIdleAsync(HboneTestBed bed, int count, List<(Socket, Task<RelayResult>, IHboneTunnel)> into)
    {
        for (var i = 0; i < count; i++)
        {
            var opened = await OpenRelayAsync(bed.Pool, bed.Request());
            // One byte first, so the pumps it crosses have run once and gone back to waiting.
            await LoopbackPairs.SendAllAsync(opened.App, "x"u8.ToArray());
            into.Add(opened);
        }
    }

    /// <summary>Heap cost of four loopback sockets (two pairs) each waiting in a zero-byte receive, as a tunnel's apps do.</summary>
    private static async Task<long> SocketBaselineAsync()
    {
        var pairs = new List<(Socket, Socket)>();
        var waits = new List<Task>();
        for (var i = 0; i < 20; i++)
            pairs.Add(await LoopbackPairs.ConnectAsync());
        var before = Heap();
        for (var i = 0; i < Tunnels * 2; i++)
        {
            var (a, b) = await LoopbackPairs.ConnectAsync();
            pairs.Add((a, b));
            waits.Add(a.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).AsTask());
            waits.Add(b.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).AsTask());
        }
        var after = Heap();
        foreach (var (a, b) in pairs)
        {
            a.Dispose();
            b.Dispose();
        }
        await Task.WhenAll(waits.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        return (after - before) / Tunnels;
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>Runs alone, after the parallel tests: the measurement is of the whole heap.</summary>
[CollectionDefinition(nameof(HboneIdleMemorySpec), DisableParallelization = true)]
public sealed class HboneIdleMemoryCollection;
