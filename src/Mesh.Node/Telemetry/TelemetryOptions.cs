namespace Mesh.Node.Telemetry;

/// <summary>Metrics settings, bound from "Mesh:Node:Telemetry".</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Mesh:Node:Telemetry";

    /// <summary>
    /// Upper bound on distinct <c>istio_tcp_*</c> label sets (default 10,000: e.g. 100 local workloads × 100 peers).
    /// Past it, new label sets are counted in <c>ztunnel_metrics_series_overflow_total</c> instead of recorded.
    /// </summary>
    public int MaxSeries { get; set; } = 10_000;

    /// <summary>
    /// How often the bytes of open connections are added to <c>istio_tcp_sent_bytes_total</c> /
    /// <c>istio_tcp_received_bytes_total</c> (the rest is added at close). 0 = only at close.
    /// </summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);
}
