namespace Mesh.Node.Telemetry.Metrics;

/// <summary>Cumulative DNS proxy counters (one proxy, or the sum of all).</summary>
public readonly record struct DnsCounts(long Requests, long Forwarded, long ForwardFailures, long Malformed)
{
    public static DnsCounts operator +(DnsCounts a, DnsCounts b) =>
        new(a.Requests + b.Requests, a.Forwarded + b.Forwarded, a.ForwardFailures + b.ForwardFailures, a.Malformed + b.Malformed);
}

/// <summary>
/// The node's DNS proxies (one per captured pod). Each registers a reader of its counters; when a proxy goes away its
/// last reading is kept, so the node totals stay monotonic as pods come and go (Prometheus counters must not drop).
/// </summary>
public sealed class DnsStatsRegistry
{
    private readonly Lock _gate = new();
    private readonly List<Registration> _live = [];
    private DnsCounts _retired;

    /// <summary>Adds a proxy; dispose the result when the proxy stops.</summary>
    public IDisposable Register(Func<DnsCounts> read)
    {
        var registration = new Registration(this, read);
        lock (_gate) _live.Add(registration);
        return registration;
    }

    /// <summary>Totals over every proxy this node has run.</summary>
    public DnsCounts Total()
    {
        lock (_gate)
        {
            var total = _retired;
            foreach (var registration in _live) total += registration.Read();
            return total;
        }
    }

    private void Retire(Registration registration)
    {
        lock (_gate)
        {
            if (_live.Remove(registration)) _retired += registration.Read();
        }
    }

    private sealed class Registration(DnsStatsRegistry owner, Func<DnsCounts> read) : IDisposable
    {
        public DnsCounts Read()
        {
            try { return read(); }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException) { return default; }
        }

        public void Dispose() => owner.Retire(this);
    }
}

/// <summary>Hooks a pod's <see cref="Dns.DnsProxy"/> into the node's DNS metrics.</summary>
public static class DnsProxyTelemetry
{
    /// <summary>Registers <paramref name="proxy"/>'s counters; dispose the result when the proxy is disposed.</summary>
    public static IDisposable Register(this DnsStatsRegistry registry, Dns.DnsProxy proxy) =>
        registry.Register(() => new DnsCounts(proxy.Requests, proxy.Forwarded, proxy.ForwardFailures, proxy.MalformedQueries));
}
