using Mesh.Node.Identity;
using Prometheus;

namespace Mesh.Node.Telemetry.Metrics;

/// <summary>
/// The node's metrics registry (a private prometheus-net registry, so several nodes can run in one test process):
/// Istio's traffic metrics plus the ztunnel-internal ones. Gauges that mirror other components' state (active
/// connections, DNS, HBONE pool, certificate expiry) are read from their sources just before each scrape, so
/// nothing on the data path maintains them.
/// </summary>
public sealed class NodeMetrics
{
    private readonly Counter _failures, _telemetryErrors, _accessLogDropped, _policyClosed, _acceptFailures;
    private readonly Gauge _active, _hbonePool, _certExpiry;
    private readonly Counter _dnsRequests, _dnsForwarded, _dnsForwardFailures, _dnsMalformed;
    private readonly HashSet<string> _certIdentities = new(StringComparer.Ordinal);
    private readonly LiveConnections _live;
    private readonly NodeTelemetrySources _sources;
    private readonly CertificateStore? _certificates;

    public NodeMetrics(TelemetryOptions options, LiveConnections live, NodeTelemetrySources sources, CertificateStore? certificates)
    {
        _live = live;
        _sources = sources;
        _certificates = certificates;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Traffic = new TrafficMetrics(factory, options.MaxSeries);

        _active = factory.CreateGauge("ztunnel_active_connections", "Connections open through this ztunnel now", "direction");
        _failures = factory.CreateCounter("ztunnel_connection_failures_total",
            "Connections that ended in failure, by reason (denied, connect, error)", "direction", "reason");
        _telemetryErrors = factory.CreateCounter("ztunnel_telemetry_errors_total",
            "Telemetry calls that failed internally (the data path is never affected)");
        _accessLogDropped = factory.CreateCounter("ztunnel_access_log_dropped_total",
            "Access log lines dropped because the writer could not keep up");

        _dnsRequests = factory.CreateCounter("istio_dns_requests_total", "Total number of DNS requests (unstable)");
        _dnsForwarded = factory.CreateCounter("istio_dns_upstream_requests_total",
            "Total number of DNS requests forwarded to upstream (unstable)");
        _dnsForwardFailures = factory.CreateCounter("istio_dns_upstream_failures_total",
            "Total number of DNS requests that failed to forward upstream (unstable)");
        _dnsMalformed = factory.CreateCounter("ztunnel_dns_malformed_requests_total",
            "DNS packets dropped because they did not parse");

        _policyClosed = factory.CreateCounter("ztunnel_policy_closed_connections_total",
            "Open inbound connections closed because a state change made L4 policy deny them");
        _acceptFailures = factory.CreateCounter("ztunnel_accept_failures_total",
            "Failed accepts on the ztunnel's listeners (e.g. out of file descriptors); each backs off before retrying");
        _hbonePool = factory.CreateGauge("ztunnel_hbone_pool_connections", "Open HBONE connections in the outbound pool");
        _certExpiry = factory.CreateGauge("istio_cert_expiry_seconds",
            "Unix timestamp when the workload certificate expires", "identity");

        Registry.AddBeforeCollectCallback(Refresh);
    }

    public CollectorRegistry Registry { get; }

    public TrafficMetrics Traffic { get; }

    internal void Failed(ConnectionDirection direction, string reason) =>
        _failures.WithLabels(TelemetryValues.Direction(direction), reason).Inc();

    internal void TelemetryError() => _telemetryErrors.Inc();

    internal void AccessLogDropped() => _accessLogDropped.Inc();

    /// <summary>Writes the Prometheus text exposition format.</summary>
    public Task WriteAsync(Stream output, CancellationToken ct) => Registry.CollectAndExportAsTextAsync(output, ct);

    private readonly Lock _refreshGate = new();

    private void Refresh()
    {
        lock (_refreshGate) RefreshLocked();
    }

    private void RefreshLocked()
    {
        Traffic.BeforeCollect();
        var (outbound, inbound) = _live.CountByDirection();
        _active.WithLabels("outbound").Set(outbound);
        _active.WithLabels("inbound").Set(inbound);

        var dns = _sources.Dns.Total();
        _dnsRequests.IncTo(dns.Requests);
        _dnsForwarded.IncTo(dns.Forwarded);
        _dnsForwardFailures.IncTo(dns.ForwardFailures);
        _dnsMalformed.IncTo(dns.Malformed);

        if (_sources.PolicyClosedConnections is { } policyClosed) _policyClosed.IncTo(policyClosed());
        if (_sources.AcceptFailures is { } acceptFailures) _acceptFailures.IncTo(acceptFailures.Count);

        if (_sources.HbonePoolConnections is { } pool)
        {
            try { _hbonePool.Set(pool()); }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException) { }
        }

        RefreshCertificates();
    }

    private void RefreshCertificates()
    {
        if (_certificates is null) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (identity, _, current, _) in _certificates.Snapshot())
        {
            if (current is null) continue;
            seen.Add(identity);
            _certExpiry.WithLabels(identity).Set(current.NotAfter.ToUnixTimeSeconds());
        }
        foreach (var gone in _certIdentities.Where(i => !seen.Contains(i)).ToList())
            _certExpiry.RemoveLabelled(gone);
        _certIdentities.Clear();
        _certIdentities.UnionWith(seen);
    }
}
