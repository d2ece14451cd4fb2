using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Sockets;
using Mesh.Testing;
using Microsoft.Extensions.Logging;

namespace Mesh.Hbone.Tests.Sockets;

/// <summary>
/// The accept loop when accept keeps failing (what EMFILE looks like): it backs off, counts and logs once per interval.
/// The failure is real: shutdown(2) on a listening socket makes every later accept fail with EINVAL.
/// </summary>
public sealed class AcceptLoopSpec
{
    [Fact]
    public async Task A_failing_accept_backs_off_is_counted_and_logged_once_and_the_loop_stops_on_cancel()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        listener.Shutdown(SocketShutdown.Receive);
        var failures = new AcceptFailures();
        var log = new Lines();
        using var stop = new CancellationTokenSource();

        var loop = AcceptLoop.RunAsync(listener, "test listener", s => { s.Dispose(); return Task.CompletedTask; }, log, failures, stop.Token);

        await Eventually.True(() => failures.Count >= 3, "accept failures counted");
        // Over the next second a hot loop would fail thousands of times; backing off (5 ms doubling to 1 s) a handful.
        await Eventually.Never(() => Task.FromResult(failures.Count), count => count > 20, TimeSpan.FromSeconds(1),
            () => $"{failures.Count} failed accepts: the loop is not backing off");
        var warning = Assert.Single(log.All);
        Assert.Contains("accept failed on test listener", warning);
        Assert.False(loop.IsCompleted);

        var cancelled = System.Diagnostics.Stopwatch.StartNew();
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(2));
        Assert.True(cancelled.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_working_listener_serves_every_connection_and_counts_nothing()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        var failures = new AcceptFailures();
        var served = 0;
        using var stop = new CancellationTokenSource();
        var loop = AcceptLoop.RunAsync(listener, "ok", s => { Interlocked.Increment(ref served); s.Dispose(); return Task.CompletedTask; },
            new Lines(), failures, stop.Token);
        for (var i = 0; i < 5; i++)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndPoint!);
        }
        await Eventually.True(() => Volatile.Read(ref served) == 5, "5 connections served");
        Assert.Equal(0, failures.Count);
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(2));
    }

    private sealed class Lines : ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();
        public IReadOnlyList<string> All => [.. _lines];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));
    }
}
