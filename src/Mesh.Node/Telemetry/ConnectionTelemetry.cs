using System.Diagnostics;
using Mesh.Node.Telemetry.AccessLog;
using Mesh.Node.Telemetry.Metrics;

namespace Mesh.Node.Telemetry;

/// <summary>
/// The node's <see cref="IConnectionTelemetry"/>: live registry, Istio metrics and the access log. Per connection it
/// does one series lookup at open (a dictionary hit on a struct key), atomic adds, and one struct queued at close.
/// Any internal exception is swallowed and counted in <c>ztunnel_telemetry_errors_total</c>.
/// </summary>
public sealed class ConnectionTelemetry(NodeMetrics metrics, LiveConnections live, AccessLogWriter? accessLog) : IConnectionTelemetry
{
    private const int StateNew = 0, StateOpen = 1, StateClosed = 2;

    public void Opened(ConnectionRecord connection)
    {
        try
        {
            if (Interlocked.CompareExchange(ref connection.State, StateOpen, StateNew) != StateNew) return;
            live.Add(connection);
            CountOpened(connection);
        }
        catch (Exception)
        {
            metrics.TelemetryError();
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
            metrics.TelemetryError();
        }
    }

    public void Closed(ConnectionRecord connection, long bytesSent, long bytesReceived, ConnectionFailure? failure = null)
    {
        try
        {
            var previous = Interlocked.Exchange(ref connection.State, StateClosed);
            if (previous == StateClosed) return;
            if (previous == StateNew) CountOpened(connection);
            else live.Remove(connection);

            AddBytes(connection, bytesSent, bytesReceived);
            var flags = failure?.Flags ?? ResponseFlags.None;
            var series = flags == ResponseFlags.None
                ? connection.Series as TrafficSeries
                : metrics.Traffic.SeriesFor(TrafficLabels.Of(connection, flags));
            series?.Closed.Inc();
            if (failure is not null) metrics.Failed(connection.Direction, failure.Reason);

            accessLog?.TryEnqueue(new AccessLogEntry(connection, bytesSent, bytesReceived,
                Stopwatch.GetElapsedTime(connection.StartTimestamp), failure, DateTimeOffset.UtcNow));
        }
        catch (Exception)
        {
            metrics.TelemetryError();
        }
    }

    private void CountOpened(ConnectionRecord connection)
    {
        // Like Istio, the open (and the bytes) are recorded with response_flags "-"; only the close carries the flag.
        var series = metrics.Traffic.SeriesFor(TrafficLabels.Of(connection, ResponseFlags.None));
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
}
