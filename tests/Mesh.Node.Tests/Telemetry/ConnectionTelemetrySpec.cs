using Mesh.Node.Telemetry;
using Mesh.Node.Telemetry.AccessLog;
using Mesh.Node.Telemetry.Metrics;
using static Mesh.Node.Tests.Telemetry.TelemetryFixtures;

namespace Mesh.Node.Tests.Telemetry;

/// <summary>The seam's contract, in-process: once-only, live registry, periodic bytes, the cardinality cap.</summary>
public sealed class ConnectionTelemetrySpec
{
    private sealed record Rig(ConnectionTelemetry Telemetry, NodeMetrics Metrics, LiveConnections Live, AccessLogWriter Log, MemoryStream Sink);

    private static Rig Create(int maxSeries = 10_000)
    {
        var live = new LiveConnections();
        var metrics = new NodeMetrics(new TelemetryOptions { MaxSeries = maxSeries }, live, new NodeTelemetrySources(), null);
        var sink = new MemoryStream();
        var log = new AccessLogWriter(new AccessLogOptions(), sink, ownsSink: false, metrics.AccessLogDropped);
        return new Rig(new ConnectionTelemetry(metrics, live, log), metrics, live, log, sink);
    }

    private static async Task<IReadOnlyList<Sample>> ScrapeAsync(NodeMetrics metrics)
    {
        using var output = new MemoryStream();
        await metrics.WriteAsync(output, CancellationToken.None);
        return PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(output.ToArray()));
    }

    private static double Sum(IEnumerable<Sample> samples, string name) => samples.Where(s => s.Name == name).Sum(s => s.Value);

    [Fact]
    public async Task Open_and_close_count_once_however_often_they_are_called()
    {
        var rig = Create();
        var connection = OutboundHbone();

        rig.Telemetry.Opened(connection);
        rig.Telemetry.Opened(connection);
        Assert.Equal([connection], rig.Live.Snapshot());
        rig.Telemetry.Closed(connection, 1, 2);
        rig.Telemetry.Closed(connection, 1, 2, ConnectionFailure.Error("late"));

        var samples = await ScrapeAsync(rig.Metrics);
        Assert.Equal(1, Sum(samples, "istio_tcp_connections_opened_total"));
        Assert.Equal(1, Sum(samples, "istio_tcp_connections_closed_total"));
        Assert.Empty(rig.Live.Snapshot());
        await rig.Log.DisposeAsync();
        Assert.Single(System.Text.Encoding.UTF8.GetString(rig.Sink.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Closing_an_unopened_connection_counts_it_as_opened_too()
    {
        var rig = Create();

        rig.Telemetry.Closed(InboundHbone(), 0, 0, ConnectionFailure.Denied("policy"));

        var samples = await ScrapeAsync(rig.Metrics);
        Assert.Equal(1, Sum(samples, "istio_tcp_connections_opened_total"));
        Assert.Equal(1, Sum(samples, "istio_tcp_connections_closed_total"));
        Assert.Empty(rig.Live.Snapshot());
    }

    [Fact]
    public async Task Progress_reports_add_only_the_increase_and_close_adds_the_rest()
    {
        var rig = Create();
        var connection = OutboundHbone();
        rig.Telemetry.Opened(connection);

        rig.Telemetry.Progress(connection, 1000, 50);
        var during = await ScrapeAsync(rig.Metrics);
        rig.Telemetry.Progress(connection, 1500, 50);
        rig.Telemetry.Closed(connection, 2000, 70);
        rig.Telemetry.Progress(connection, 9999, 9999); // after close: ignored
        var after = await ScrapeAsync(rig.Metrics);

        Assert.Equal(1000, Sum(during, "istio_tcp_received_bytes_total"));
        Assert.Equal(50, Sum(during, "istio_tcp_sent_bytes_total"));
        Assert.Equal(2000, Sum(after, "istio_tcp_received_bytes_total"));
        Assert.Equal(70, Sum(after, "istio_tcp_sent_bytes_total"));
    }

    [Fact]
    public async Task Label_sets_beyond_the_cap_are_counted_as_overflow_not_recorded()
    {
        var rig = Create(maxSeries: 2);
        var pods = Enumerable.Range(0, 5)
            .Select(i => Workload("default", $"client-{i}", $"10.0.0.{i}", $"client-{i}", $"client-{i}", "v1")).ToList();

        foreach (var pod in pods)
        {
            var connection = new ConnectionRecord
            {
                Direction = ConnectionDirection.Outbound, SourceAddress = Ep("10.0.0.1:1000"), SourceWorkload = pod,
                DestinationAddress = Ep("10.0.9.9:80"),
            };
            rig.Telemetry.Opened(connection);
            rig.Telemetry.Closed(connection, 1, 1);
        }

        var samples = await ScrapeAsync(rig.Metrics);
        Assert.Equal(2, samples.Where(s => s.Name == "istio_tcp_connections_opened_total").Count());
        Assert.Equal(2, Sum(samples, "ztunnel_metrics_series"));
        Assert.Equal(3, Sum(samples, "ztunnel_metrics_series_overflow_total")); // one per connection left out
        Assert.Empty(rig.Live.Snapshot());
    }

    [Fact]
    public async Task Equal_label_values_from_fresh_state_objects_share_one_series()
    {
        var rig = Create(maxSeries: 1);
        // Mesh state is re-read on every change: the same workload arrives as a new (equal) object.
        foreach (var pod in new[] { Sleep, Sleep with { }, Sleep with { Addresses = Mesh.Protocol.Model.ValueList.Of("10.9.9.9") } })
        {
            var connection = OutboundPassthrough();
            var copy = new ConnectionRecord
            {
                Direction = connection.Direction, SourceAddress = connection.SourceAddress, SourceWorkload = pod,
                DestinationAddress = connection.DestinationAddress, SecurityPolicy = connection.SecurityPolicy,
            };
            rig.Telemetry.Opened(copy);
        }

        var samples = await ScrapeAsync(rig.Metrics);
        Assert.Equal(3, Assert.Single(samples, s => s.Name == "istio_tcp_connections_opened_total").Value);
        Assert.Equal(0, Sum(samples, "ztunnel_metrics_series_overflow_total"));
    }

    [Fact]
    public async Task Many_threads_opening_and_closing_leave_consistent_counts()
    {
        var rig = Create();
        const int perThread = 2000, threads = 8;

        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < perThread; i++)
            {
                var connection = i % 2 == 0 ? OutboundHbone() : InboundHbone();
                rig.Telemetry.Opened(connection);
                rig.Telemetry.Closed(connection, 10, 20);
            }
        })));

        var samples = await ScrapeAsync(rig.Metrics);
        Assert.Equal(perThread * threads, Sum(samples, "istio_tcp_connections_opened_total"));
        Assert.Equal(perThread * threads, Sum(samples, "istio_tcp_connections_closed_total"));
        Assert.Equal(perThread * threads * 10, Sum(samples, "istio_tcp_received_bytes_total"));
        Assert.Equal(0, rig.Live.Count);
        Assert.Equal(0, Sum(samples, "ztunnel_telemetry_errors_total"));
    }
}
