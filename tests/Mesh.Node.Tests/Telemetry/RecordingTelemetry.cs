using System.Collections.Concurrent;
using Mesh.Node.Telemetry;

namespace Mesh.Node.Tests.Telemetry;

/// <summary>An <see cref="IConnectionTelemetry"/> that keeps every call, for specs of the data path's reporting.</summary>
internal sealed class RecordingTelemetry : IConnectionTelemetry
{
    public sealed record Close(ConnectionRecord Record, long Sent, long Received, ConnectionFailure? Failure);

    private readonly ConcurrentQueue<ConnectionRecord> _opened = new();
    private readonly ConcurrentQueue<Close> _closed = new();

    public IReadOnlyList<ConnectionRecord> Opened => [.. _opened];
    public IReadOnlyList<Close> Closed => [.. _closed];

    void IConnectionTelemetry.Opened(ConnectionRecord connection) => _opened.Enqueue(connection);

    public void Progress(ConnectionRecord connection, long bytesSent, long bytesReceived) { }

    void IConnectionTelemetry.Closed(ConnectionRecord connection, long bytesSent, long bytesReceived, ConnectionFailure? failure) =>
        _closed.Enqueue(new Close(connection, bytesSent, bytesReceived, failure));

    /// <summary>Waits (bounded) until <paramref name="count"/> closes were reported; closes come after the client saw the end.</summary>
    public async Task<IReadOnlyList<Close>> ClosedAsync(int count, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (_closed.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{_closed.Count} of {count} closes reported");
            await Task.Delay(10);
        }
        return Closed;
    }
}
