using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Bench.Modes;

namespace Mesh.Bench.Scenarios;

/// <summary>
/// (b) 1 KiB request → 1 KiB echo at a FIXED total rate over N persistent connections, open loop: request k is due at
/// t0 + k/rate and goes out then (round robin over the connections) whether or not earlier answers came back, and
/// its latency runs from that due time to the last byte of its answer — so a stall shows up in every request it
/// delays instead of silencing them (no coordinated omission). One sender thread with a microsecond clock, one
/// blocking reader thread per connection; answers on a connection come back in order (echo). The first
/// <c>Warmup</c> of requests are sent but not counted.
/// </summary>
internal static class Latency
{
    public sealed record Settings(int Rate, int Connections, TimeSpan Duration, TimeSpan Warmup, int RequestBytes = 1024);

    /// <param name="SenderLateP99Micros">How late the generator itself sent (p99): the floor under every row.</param>
    public sealed record Result(double P50Micros, double P99Micros, double P999Micros, double MaxMicros, double SenderLateP99Micros);

    public static Result Run(RunningMode mode, Settings settings)
    {
        var n = settings.Connections;
        var sockets = new System.Net.Sockets.Socket[n];
        var request = new byte[settings.RequestBytes];
        Random.Shared.NextBytes(request);
        try
        {
            for (var c = 0; c < n; c++)
            {
                sockets[c] = Connections.Open(mode.EntryPort, (byte)'E');
                // One exchange first, so every tunnel is fully established before the clock starts.
                Connections.SendAll(sockets[c], request);
                if (!Connections.ReceiveExactly(sockets[c], new byte[request.Length])) throw new InvalidOperationException($"{mode.Name}: echo missing");
            }

            var total = (int)(settings.Rate * (settings.Warmup + settings.Duration).TotalSeconds);
            var counted = (int)(settings.Rate * settings.Duration.TotalSeconds);
            var interval = (double)Stopwatch.Frequency / settings.Rate;
            var inFlight = Enumerable.Range(0, n).Select(_ => new ConcurrentQueue<int>()).ToArray();
            var latency = new long[total];
            var late = new long[total];
            var t0 = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20; // 50 ms to get all threads going
            long Due(int k) => t0 + (long)(k * interval);

            var readers = Enumerable.Range(0, n).Select(c => new Thread(() =>
            {
                var answer = new byte[request.Length];
                var expected = total / n + (c < total % n ? 1 : 0);
                try
                {
                    for (var i = 0; i < expected; i++)
                    {
                        if (!Connections.ReceiveExactly(sockets[c], answer)) return;
                        var now = Stopwatch.GetTimestamp();
                        if (!inFlight[c].TryDequeue(out var k)) return; // cannot happen: queued before it is sent
                        latency[k] = now - Due(k);
                    }
                }
                catch (System.Net.Sockets.SocketException) { } // its unanswered requests stay 0: reported below
            }) { IsBackground = true, Name = $"latency-read-{c}" }).ToList();
            foreach (var r in readers) r.Start();

            var sender = new Thread(() =>
            {
                PreciseClock.PrepareThread();
                try
                {
                    for (var k = 0; k < total; k++)
                    {
                        var due = Due(k);
                        PreciseClock.WaitUntil(due);
                        var c = k % n;
                        inFlight[c].Enqueue(k);
                        late[k] = Stopwatch.GetTimestamp() - due;
                        Connections.SendAll(sockets[c], request);
                    }
                }
                catch (System.Net.Sockets.SocketException) { } // unsent requests have no answer: reported below
            }) { IsBackground = true, Name = "latency-send", Priority = ThreadPriority.AboveNormal };
            sender.Start();
            sender.Join();
            var deadline = TimeSpan.FromSeconds(15);
            foreach (var r in readers)
                if (!r.Join(deadline)) throw new InvalidOperationException($"{mode.Name}: answers did not all come back within {deadline.TotalSeconds} s");

            var skip = total - counted;
            if (latency.Any(l => l <= 0)) throw new InvalidOperationException($"{mode.Name}: a request went unanswered");
            var samples = latency[skip..].Select(Micros).Order().ToArray();
            var senderLate = late[skip..].Select(Micros).Order().ToArray();
            return new Result(Percentile(samples, 0.50), Percentile(samples, 0.99), Percentile(samples, 0.999), samples[^1],
                Percentile(senderLate, 0.99));
        }
        finally
        {
            foreach (var s in sockets) s?.Dispose();
        }
    }

    private static double Micros(long ticks) => ticks * 1e6 / Stopwatch.Frequency;

    /// <summary>Nearest-rank percentile of a sorted array.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
