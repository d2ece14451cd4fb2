using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench;

/// <summary>What one round measures for one scenario.</summary>
internal sealed record RoundResult(double GiBPerSecond, double CpuSecondsPerGiB, double P50Micros, double P99Micros, double ConnectionsPerSecond, double KiBPerIdleConnection);

/// <summary>The four measurements of issue #5's benchmark, all from the load generator through the scenario to the sink.</summary>
internal static class Measurements
{
    private static async Task<Socket> ConnectAsync(int port, byte mode)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(new[] { mode });
        return socket;
    }

    /// <summary>(a) one stream, <paramref name="bytes"/> up, byte count back; GiB/s and relay CPU-s per GiB.</summary>
    public static async Task<(double GiBps, double CpuPerGiB)> BulkAsync(Scenario scenario, long bytes)
    {
        var chunk = new byte[256 * 1024];
        Random.Shared.NextBytes(chunk);
        var cpu = scenario.CpuSeconds();
        var clock = Stopwatch.StartNew();
        using (var socket = await ConnectAsync(scenario.EntryPort, (byte)'B'))
        {
            for (long sent = 0; sent < bytes; sent += chunk.Length)
                await socket.SendAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bytes - sent)));
            socket.Shutdown(SocketShutdown.Send);
            var count = new byte[8];
            var got = 0;
            while (got < 8)
            {
                var n = await socket.ReceiveAsync(count.AsMemory(got));
                if (n == 0) throw new InvalidOperationException($"{scenario.Name}: sink count missing");
                got += n;
            }
            if (BinaryPrimitives.ReadInt64LittleEndian(count) != bytes) throw new InvalidOperationException($"{scenario.Name}: bytes lost");
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var gib = bytes / (1024.0 * 1024 * 1024);
        return (gib / seconds, (scenario.CpuSeconds() - cpu) / gib);
    }

    /// <summary>(b) 1 KiB request/response on one connection at a fixed rate; p50/p99 round trip in µs.</summary>
    public static async Task<(double P50, double P99)> LatencyAsync(Scenario scenario, int requests, int perSecond)
    {
        using var socket = await ConnectAsync(scenario.EntryPort, (byte)'E');
        var request = new byte[1024];
        var response = new byte[1024];
        var samples = new double[requests];
        var interval = TimeSpan.FromSeconds(1.0 / perSecond);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < requests; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
            var start = Stopwatch.GetTimestamp();
            await socket.SendAsync(request);
            var got = 0;
            while (got < response.Length) got += await socket.ReceiveAsync(response.AsMemory(got));
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(samples);
        return (samples[requests / 2], samples[(int)(requests * 0.99)]);
    }

    /// <summary>(c) new connections per second through the scenario (connect, 1-byte echo, close), 4 in parallel.</summary>
    public static async Task<double> ConnectionsAsync(Scenario scenario, TimeSpan duration)
    {
        var count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var one = new byte[1];
            while (clock.Elapsed < duration)
            {
                using var socket = await ConnectAsync(scenario.EntryPort, (byte)'E');
                await socket.SendAsync(one);
                if (await socket.ReceiveAsync(one) != 1) throw new InvalidOperationException($"{scenario.Name}: echo missing");
                Interlocked.Increment(ref count);
            }
        }));
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>(d) resident memory of the scenario's processes per idle tunneled connection (KiB).</summary>
    public static async Task<double> IdleMemoryAsync(Scenario scenario, int connections)
    {
        if (scenario.Processes.Count == 0) return 0;
        GC.Collect();
        var before = scenario.RssKiB();
        var sockets = new List<Socket>(connections);
        try
        {
            var one = new byte[1];
            for (var i = 0; i < connections; i++)
            {
                var socket = await ConnectAsync(scenario.EntryPort, (byte)'E');
                await socket.SendAsync(one);
                await socket.ReceiveAsync(one); // the whole path exists before counting
                sockets.Add(socket);
            }
            return (scenario.RssKiB() - before) / (double)connections;
        }
        finally
        {
            foreach (var s in sockets) s.Dispose();
        }
    }
}
