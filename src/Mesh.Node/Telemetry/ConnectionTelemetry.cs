using System.Diagnostics;
using Mesh.Node.Telemetry.AccessLog;
using Mesh.Node.Telemetry.Metrics;

namespace Mesh.Node.Telemetry;

/// <summary>
/// The node's <see cref="IConnectionTelemetry"/>: live registry, Istio metrics, the pod's counters and the access log
/// (the one line per connection). Per connection it does one series lookup at open (a dictionary hit on a struct key),
/// atomic adds, and one struct queued at close. Every <see cref="TelemetryOptions.ProgressInterval"/> it adds the bytes
/// the open connections' relays have moved since the last tick, so long-lived connections show up in the byte counters
/// before they close. Any internal exception is swallowed and counted in <c>ztunnel_telemetry_errors_total</c>.
/// </summary>
public sealed class ConnectionTelemetry : IConnectionTelemetry, IDisposable
{
    private const int StateNew = 0, StateOpen = 1, StateClosed = 2;
    private readonly NodeMetrics _metrics;
    private readonly LiveConnections _live;
    private readonly AccessLogWriter? _accessLog;
    private readonly Timer? _progress;

    public ConnectionTelemetry(NodeMetrics metrics, LiveConnections live, AccessLogWriter? accessLog, TimeSpan? progressInterval = null)
    {
        _metrics = metrics;
        _live = live;
        _accessLog = accessLog;
        if (progressInterval is { } interval && interval > TimeSpan.Zero)
            _progress = new Timer(static s => ((ConnectionTelemetry)s!).ReportProgress(), this, interval, interval);
    }

    public void Opened(ConnectionRecord connection)
    {
        try
        {
            if (Interlocked.CompareExchange(ref connection.State, StateOpen, StateNew) != StateNew) return;
            _live.Add(connection);
            CountOpened(connection);
        }
        catch (Exception)
        {
            _metrics.TelemetryError();
        }
    }

    public void Progress(ConnectionRecord connection, long bytesSent, long bytesReceived)
    {
        try
        {
            if (Volatile.Read(ref connection.State) != StateOpen) return;
            AddBytes(connection, bytesSent, bytesReceived);
        }
        catch (Exception)
        {
            _metrics.TelemetryError();
        }
    }

    public void Closed(ConnectionRecord connection, long bytesSent, long bytesReceived, ConnectionFailure? failure = null)
    {
        try
        {
            var previous = Interlocked.Exchange(ref connection.State, StateClosed);
            if (previous == StateClosed) return;
            if (previous == StateNew) CountOpened(connection);
            else _live.Remove(connection);

            AddBytes(connection, bytesSent, bytesReceived);
            var outbound = connection.Direction == ConnectionDirection.Outbound;
            connection.Counters?.Closed(connection.Direction, connection.Protocol,
                podSent: outbound ? bytesSent : bytesReceived, podReceived: outbound ? bytesReceived : bytesSent, failure is not null);
            var flags = failure?.Flags ?? ResponseFlags.None;
            var series = flags == ResponseFlags.None
                ? connection.Series as TrafficSeries
                : _metrics.Traffic.SeriesFor(TrafficLabels.Of(connection, flags));
            series?.Closed.Inc();
            if (failure is not null) _metrics.Failed(connection.Direction, failure.Reason);

            _accessLog?.TryEnqueue(new AccessLogEntry(connection, bytesSent, bytesReceived,
                Stopwatch.GetElapsedTime(connection.StartTimestamp), failure, DateTimeOffset.UtcNow));
        }
        catch (Exception)
        {
            _metrics.TelemetryError();
        }
    }

    /// <summary>The periodic tick (a timer callback: nothing may escape).</summary>
    private void ReportProgress()
    {
        try
        {
            foreach (var connection in _live.All)
                Progress(connection, connection.Bytes.Up, connection.Bytes.Down);
        }
        catch (Exception)
        {
            _metrics.TelemetryError();
        }
    }

    private void CountOpened(ConnectionRecord connection)
    {
        connection.Counters?.Opened(connection.Direction, connection.Protocol);
        // Like Istio, the open (and the bytes) are recorded with response_flags "-"; only the close carries the flag.
        var series = _metrics.Traffic.SeriesFor(TrafficLabels.Of(connection, ResponseFlags.None));
        connection.Series = series;
        series?.Opened.Inc();
    }

    /// <summary>Adds the increase of the cumulative totals since the last report (request → received, response → sent).</summary>
    private static void AddBytes(ConnectionRecord connection, long bytesSent, long bytesReceived)
    {
        var sentDelta = bytesSent - Interlocked.Exchange(ref connection.ReportedSent, bytesSent);
        var receivedDelta = bytesReceived - Interlocked.Exchange(ref connection.ReportedReceived, bytesReceived);
        if (connection.Series is not TrafficSeries series) return;
        if (sentDelta > 0) series.Received.Inc(sentDelta);
        if (receivedDelta > 0) series.Sent.Inc(receivedDelta);
    }

    public void Dispose() => _progress?.Dispose();
}
