using System.Collections.Concurrent;
using Prometheus;

namespace Mesh.Node.Telemetry.Metrics;

/// <summary>The four counters of one label set, fetched once and then incremented directly (an atomic add).</summary>
internal sealed class TrafficSeries(Counter.Child opened, Counter.Child closed, Counter.Child received, Counter.Child sent)
{
    public Counter.Child Opened { get; } = opened;
    public Counter.Child Closed { get; } = closed;
    /// <summary>Request bytes (source → destination).</summary>
    public Counter.Child Received { get; } = received;
    /// <summary>Response bytes (destination → source).</summary>
    public Counter.Child Sent { get; } = sent;
}

/// <summary>
/// Istio's standard TCP metrics with their exact names and labels. Cardinality is bounded: labels come only from
/// mesh state (workloads, services, identities) and a few enums — never from ports or IP addresses — and the number
/// of distinct label sets is capped (<see cref="TelemetryOptions.MaxSeries"/>). A connection whose label set would
/// exceed the cap is not recorded here but counted in <c>ztunnel_metrics_series_overflow_total</c>, so a label
/// explosion shows up as one visible counter instead of unbounded memory.
/// </summary>
public sealed class TrafficMetrics
{
    private readonly Counter _opened, _closed, _received, _sent, _overflow;
    private readonly ConcurrentDictionary<TrafficLabels, TrafficSeries> _series = new();
    private readonly int _maxSeries;
    private int _count;

    public TrafficMetrics(IMetricFactory factory, int maxSeries)
    {
        _maxSeries = maxSeries;
        // A series appears once it is first incremented (as in Istio's ztunnel): a DENY close publishes no empty
        // opened/bytes samples next to it.
        var config = new CounterConfiguration { LabelNames = TrafficLabels.Names, SuppressInitialValue = true };
        _opened = factory.CreateCounter("istio_tcp_connections_opened_total", "The total number of TCP connections opened", config);
        _closed = factory.CreateCounter("istio_tcp_connections_closed_total", "The total number of TCP connections closed", config);
        _received = factory.CreateCounter("istio_tcp_received_bytes_total",
            "The size of total bytes received during request in case of a TCP connection", config);
        _sent = factory.CreateCounter("istio_tcp_sent_bytes_total",
            "The size of total bytes sent during response in case of a TCP connection", config);
        _overflow = factory.CreateCounter("ztunnel_metrics_series_overflow_total",
            "Connections (their open, or a flagged close) not recorded in istio_tcp_* because the label-set cap (Mesh:Node:Telemetry:MaxSeries) was reached");
        _seriesGauge = factory.CreateGauge("ztunnel_metrics_series", "Distinct istio_tcp_* label sets in use");
    }

    private readonly Gauge _seriesGauge;

    /// <summary>Refreshes the series gauge (the registry calls it before each scrape).</summary>
    internal void BeforeCollect() => _seriesGauge.Set(Volatile.Read(ref _count));

    public int SeriesCount => Volatile.Read(ref _count);

    /// <summary>The series for <paramref name="labels"/>, or null (counted as overflow) when the cap is reached.</summary>
    internal TrafficSeries? SeriesFor(in TrafficLabels labels)
    {
        if (_series.TryGetValue(labels, out var existing)) return existing;
        if (Volatile.Read(ref _count) >= _maxSeries)
        {
            _overflow.Inc();
            return null;
        }
        var values = labels.Values();
        var created = new TrafficSeries(_opened.WithLabels(values), _closed.WithLabels(values),
            _received.WithLabels(values), _sent.WithLabels(values));
        if (_series.TryAdd(labels, created))
        {
            Interlocked.Increment(ref _count);
            return created;
        }
        return _series[labels];
    }
}
