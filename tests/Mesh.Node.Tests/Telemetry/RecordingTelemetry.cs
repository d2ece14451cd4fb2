using System.Collections.Concurrent;
using Mesh.Node.Telemetry;
using Mesh.Node.Telemetry.Metrics;
using Mesh.Testing;

namespace Mesh.Node.Tests.Telemetry;

/// <summary>
/// The node's real <see cref="ConnectionTelemetry"/> (metrics, live connections, the pods' counters) with every call
/// kept as well, for specs of the data path's reporting.
/// </summary>
internal sealed class RecordingTelemetry : IConnectionTelemetry, IDisposable
{
    public sealed record Close(ConnectionRecord Record, long Sent, long Received, ConnectionFailure? Failure);

    private readonly ConcurrentQueue<ConnectionRecord> _opened = new();
    private readonly ConcurrentQueue<Close> _closed = new();
    private readonly ConnectionTelemetry _node;

    public RecordingTelemetry()
    {
        Live = new LiveConnections();
        _node = new ConnectionTelemetry(new NodeMetrics(new TelemetryOptions(), Live, new NodeTelemetrySources(), null), Live, null);
    }

    /// <summary>The connections the node shows as open (<c>meshctl zc connections</c>).</summary>
    public LiveConnections Live { get; }

    public IReadOnlyList<ConnectionRecord> Opened => [.. _opened];
    public IReadOnlyList<Close> Closed => [.. _closed];

    void IConnectionTelemetry.Opened(ConnectionRecord connection)
    {
        _opened.Enqueue(connection);
        _node.Opened(connection);
    }

    public void Progress(ConnectionRecord connection, long bytesSent, long bytesReceived) => _node.Progress(connection, bytesSent, bytesReceived);

    void IConnectionTelemetry.Closed(ConnectionRecord connection, long bytesSent, long bytesReceived, ConnectionFailure? failure)
    {
        _closed.Enqueue(new Close(connection, bytesSent, bytesReceived, failure));
        _node.Closed(connection, bytesSent, bytesReceived, failure);
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> closes were reported; closes come after the client saw the end.</summary>
    public async Task<IReadOnlyList<Close>> ClosedAsync(int count, TimeSpan? within = null)
    {
        await Eventually.True(() => _closed.Count >= count, $"{count} connection closes reported (have {_closed.Count})", within);
        return Closed;
    }

    /// <summary>The first close matching <paramref name="match"/>, waiting (bounded) for it.</summary>
    public async Task<Close> ClosedAsync(Func<Close, bool> match, string what)
    {
        await Eventually.True(() => _closed.Any(match), what);
        return _closed.First(match);
    }

    public void Dispose() => _node.Dispose();
}
