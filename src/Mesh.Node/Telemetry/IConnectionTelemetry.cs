namespace Mesh.Node.Telemetry;

/// <summary>
/// The one seam between the data path and telemetry (metrics, access log, live connections). Called once when a
/// connection opens and once when it closes — never per chunk. Thread-safe; never throws into the caller and never
/// blocks (the access log is written by a background writer; a full queue drops lines and counts them).
/// </summary>
/// <remarks>
/// Bytes are counted from the <b>source (client) side's point of view</b> for both directions:
/// <c>bytesSent</c> = source → destination (the request direction), <c>bytesReceived</c> = destination → source.
/// That maps onto Istio's metrics as <c>istio_tcp_received_bytes_total</c> += sent and
/// <c>istio_tcp_sent_bytes_total</c> += received, and onto the access log as ztunnel prints it.
/// </remarks>
public interface IConnectionTelemetry
{
    /// <summary>The connection is accepted and described (before the upstream connect, so failed connects count as opened).</summary>
    void Opened(ConnectionRecord connection);

    /// <summary>
    /// Optional, for long-lived connections: cumulative byte totals so far (e.g. from a relay's periodic tick, at most
    /// every few seconds). Only the increase since the last report is added; <see cref="Closed"/> adds the rest.
    /// </summary>
    void Progress(ConnectionRecord connection, long bytesSent, long bytesReceived);

    /// <summary>
    /// The connection ended (exactly once; later calls are ignored). <paramref name="failure"/> is null for a normal
    /// close; a connection denied before any relay is reported as <see cref="Opened"/> then <see cref="Closed"/> with
    /// <see cref="ConnectionFailure.Denied"/>. Closing a record that was never opened counts it as opened too.
    /// </summary>
    void Closed(ConnectionRecord connection, long bytesSent, long bytesReceived, ConnectionFailure? failure = null);
}

/// <summary>Telemetry that records nothing (tests and tools that run the data path without a node).</summary>
public sealed class NoConnectionTelemetry : IConnectionTelemetry
{
    public static readonly NoConnectionTelemetry Instance = new();

    public void Opened(ConnectionRecord connection) { }
    public void Progress(ConnectionRecord connection, long bytesSent, long bytesReceived) { }
    public void Closed(ConnectionRecord connection, long bytesSent, long bytesReceived, ConnectionFailure? failure = null) { }
}
