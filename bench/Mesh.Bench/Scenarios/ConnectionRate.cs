using System.Diagnostics;
using System.Net.Sockets;
using Mesh.Bench.Modes;

namespace Mesh.Bench.Scenarios;

/// <summary>
/// (c) New connections per second through the mode: each connection connects, sends one small request (64 bytes),
/// reads the echo and closes; <c>Concurrency</c> clients back to back. Completions inside the window (after a short
/// warm-up) are counted. Failed attempts are counted apart and reported, never as completions.
/// </summary>
internal static class ConnectionRate
{
    public sealed record Settings(int Concurrency, TimeSpan Window, TimeSpan Warmup);

    public sealed record Result(double PerSecond, int Errors);

    public static Result Run(RunningMode mode, Settings settings)
    {
        var start = Stopwatch.GetTimestamp();
        var windowStart = start + (long)(settings.Warmup.TotalSeconds * Stopwatch.Frequency);
        var end = windowStart + (long)(settings.Window.TotalSeconds * Stopwatch.Frequency);
        var completed = 0;
        var errors = 0;
        Connections.OnThreads(settings.Concurrency, _ =>
        {
            var request = new byte[64];
            var answer = new byte[64];
            while (Stopwatch.GetTimestamp() < end)
            {
                try
                {
                    using var socket = Connections.Open(mode.EntryPort, (byte)'E', timeoutMs: 5_000);
                    Connections.SendAll(socket, request);
                    if (!Connections.ReceiveExactly(socket, answer)) throw new SocketException((int)SocketError.ConnectionReset);
                    var now = Stopwatch.GetTimestamp();
                    if (now >= windowStart && now < end) Interlocked.Increment(ref completed);
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref errors);
                    Thread.Sleep(1);
                }
            }
        });
        return new Result(completed / settings.Window.TotalSeconds, errors);
    }
}
