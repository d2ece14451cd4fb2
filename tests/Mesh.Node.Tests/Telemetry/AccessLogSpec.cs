using System.Text.Json;
using Mesh.Node.Telemetry;
using Mesh.Node.Telemetry.AccessLog;
using static Mesh.Node.Tests.Telemetry.TelemetryFixtures;

namespace Mesh.Node.Tests.Telemetry;

public sealed class AccessLogSpec
{
    private static readonly DateTimeOffset End = new(2025, 3, 4, 5, 6, 7, 123, TimeSpan.Zero);

    [Fact]
    public void Logfmt_line_carries_istios_fields_in_ztunnels_order()
    {
        var entry = new AccessLogEntry(OutboundHbone(), 84, 1839, TimeSpan.FromMilliseconds(12.7), null, End);

        var line = AccessLogFormatter.Format(AccessLogFormat.Logfmt, entry);

        Assert.Equal(
            "time=2025-03-04T05:06:07.123000Z level=info scope=access msg=\"connection complete\" " +
            "src.addr=10.244.1.5:41228 src.workload=sleep-7656cf8794-r7zb9 src.namespace=default " +
            "src.identity=spiffe://cluster.local/ns/default/sa/sleep " +
            "dst.addr=10.244.2.7:15008 dst.hbone_addr=10.244.2.7:9080 dst.service=reviews.bookinfo.svc.cluster.local " +
            "dst.workload=reviews-v1-7d8f-x dst.namespace=bookinfo dst.identity=spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews " +
            "direction=outbound bytes_sent=84 bytes_recv=1839 duration=12ms\n", line);
    }

    [Fact]
    public void Inbound_bytes_are_from_the_destination_side_as_ztunnel_logs_them()
    {
        var entry = new AccessLogEntry(InboundHbone(), 84, 1839, TimeSpan.FromMilliseconds(3), null, End);

        var line = AccessLogFormatter.Format(AccessLogFormat.Logfmt, entry);

        Assert.Contains(" direction=inbound bytes_sent=1839 bytes_recv=84 duration=3ms\n", line);
        Assert.DoesNotContain("dst.service", line);
    }

    [Fact]
    public void Json_line_has_the_same_fields_and_error_with_level_error()
    {
        var entry = new AccessLogEntry(OutboundPassthrough(), 10, 0, TimeSpan.FromMilliseconds(5000), ConnectionFailure.ConnectFailed("connect: connection refused \"x\""), End);

        var line = AccessLogFormatter.Format(AccessLogFormat.Json, entry);

        Assert.EndsWith("}\n", line);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal(
            ["time", "level", "scope", "message", "src.addr", "src.workload", "src.namespace", "dst.addr", "direction", "bytes_sent", "bytes_recv", "duration", "error"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("error", root.GetProperty("level").GetString());
        Assert.Equal("93.184.216.34:443", root.GetProperty("dst.addr").GetString());
        Assert.Equal(10, root.GetProperty("bytes_sent").GetInt64());
        Assert.Equal("5000ms", root.GetProperty("duration").GetString());
        Assert.Equal("connect: connection refused \"x\"", root.GetProperty("error").GetString());
    }

    [Fact]
    public void Logfmt_quotes_values_with_spaces_quotes_and_control_characters()
    {
        var entry = new AccessLogEntry(OutboundPassthrough(), 0, 0, TimeSpan.Zero, ConnectionFailure.Error("reset by \"peer\"\n"), End);

        var line = AccessLogFormatter.Format(AccessLogFormat.Logfmt, entry);

        Assert.EndsWith(" error=\"reset by \\\"peer\\\"\\n\"\n", line);
        Assert.Contains(" level=error ", line);
        Assert.DoesNotContain("src.identity", line); // plaintext: identities are not claimed
    }

    [Fact]
    public async Task A_stalled_sink_never_blocks_the_caller_and_overflow_is_counted()
    {
        using var sink = new StalledStream();
        var droppedByCallback = 0;
        var writer = new AccessLogWriter(new AccessLogOptions { QueueCapacity = 8 }, sink, ownsSink: false,
            () => Interlocked.Increment(ref droppedByCallback));

        // The first line reaches the sink and blocks there; then the queue fills (8) and the rest must be dropped.
        writer.TryEnqueue(new AccessLogEntry(OutboundHbone(), 1, 1, TimeSpan.Zero, null, End));
        Assert.True(sink.WriteStarted.Wait(TimeSpan.FromSeconds(10)), "writer never reached the sink");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++) writer.TryEnqueue(new AccessLogEntry(OutboundHbone(), i, i, TimeSpan.Zero, null, End));
        clock.Stop();

        Assert.Equal(1000 - 8, writer.DroppedCount);
        Assert.Equal(writer.DroppedCount, droppedByCallback);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"enqueueing 1000 lines took {clock.Elapsed}");

        sink.Release();
        await writer.DisposeAsync(); // drains what was queued
        Assert.Equal(1 + 8, writer.WrittenCount);
        Assert.Equal(9, sink.Lines);
    }

    [Fact]
    public async Task Closed_connections_reach_the_configured_file()
    {
        await using (var node = await TelemetryNode.StartAsync(("Mesh:Node:AccessLog:Format", "json")))
        {
            var connection = OutboundHbone();
            node.Telemetry.Opened(connection);
            node.Telemetry.Closed(connection, 5, 6);
            // Disposing the node drains the writer; read the file afterwards (the file path outlives the node below).
            var path = node.AccessLogPath;
            await node.DisposeAsyncKeepingLog();
            var line = Assert.Single(File.ReadAllLines(path));
            File.Delete(path);
            Assert.Equal("outbound", JsonDocument.Parse(line).RootElement.GetProperty("direction").GetString());
        }
    }

    /// <summary>A sink whose writes block until released (a full pipe, a hung disk).</summary>
    private sealed class StalledStream : Stream
    {
        private readonly ManualResetEventSlim _release = new(false);
        private int _lines;

        public ManualResetEventSlim WriteStarted { get; } = new(false);
        public int Lines => Volatile.Read(ref _lines);
        public void Release() => _release.Set();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            WriteStarted.Set();
            await Task.Run(() => _release.Wait(cancellationToken), cancellationToken);
            Interlocked.Add(ref _lines, buffer.Span.Count((byte)'\n'));
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        protected override void Dispose(bool disposing)
        {
            _release.Set();
            base.Dispose(disposing);
        }
    }
}
