using System.Buffers.Binary;
using System.Diagnostics;
using Mesh.Bench.Modes;

namespace Mesh.Bench.Scenarios;

/// <summary>
/// (a) One stream, <c>bytes</c> up to the sink, which answers the byte count after EOF (so half-close must cross every
/// hop). Throughput from connect to count; CPU-seconds of the hop processes per GiB carried.
/// </summary>
internal static class Bulk
{
    public sealed record Result(double GiBPerSecond, double CpuSecondsPerGiB);

    public static Result Run(RunningMode mode, long bytes)
    {
        var chunk = new byte[256 * 1024];
        Random.Shared.NextBytes(chunk);
        var cpu = mode.CpuSeconds();
        var clock = Stopwatch.StartNew();
        using (var socket = Connections.Open(mode.EntryPort, (byte)'B', timeoutMs: 60_000))
        {
            for (long sent = 0; sent < bytes; sent += chunk.Length)
                Connections.SendAll(socket, chunk.AsSpan(0, (int)Math.Min(chunk.Length, bytes - sent)));
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            var count = new byte[8];
            if (!Connections.ReceiveExactly(socket, count)) throw new InvalidOperationException($"{mode.Name}: the sink's byte count is missing");
            if (BinaryPrimitives.ReadInt64LittleEndian(count) != bytes) throw new InvalidOperationException($"{mode.Name}: bytes lost");
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var gib = bytes / (1024.0 * 1024 * 1024);
        return new Result(gib / seconds, mode.HasProcesses ? (mode.CpuSeconds() - cpu) / gib : double.NaN);
    }
}
