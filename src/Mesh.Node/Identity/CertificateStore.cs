using System.Collections.Concurrent;
using Mesh.Hbone.Tls;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Identity;

/// <summary>
/// The certificates this node holds, readable by TLS endpoints without any actor message. Written only by the
/// certificate actors. A connection that needs an identity not fetched yet waits for it, up to
/// <see cref="WaitTimeout"/> (the HBONE pool and servers take their SVIDs from here).
/// </summary>
public sealed class CertificateStore : IWorkloadCertificates
{
    private sealed class Entry
    {
        public WorkloadCertificate? Current;
        public CertificateState State = CertificateState.Pending;
        public string? LastError;
        public TaskCompletionSource<WorkloadCertificate> FirstIssue = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly CertificateCache? _cache;

    /// <param name="waitTimeout">How long a TLS endpoint waits for an identity's first SVID (default 10 s).</param>
    /// <param name="cache">When set, the store persists what it is given and starts with what the cache still holds.</param>
    public CertificateStore(TimeSpan? waitTimeout = null, CertificateCache? cache = null)
    {
        WaitTimeout = waitTimeout ?? TimeSpan.FromSeconds(10);
        _cache = cache;
        if (cache is null) return;
        foreach (var certificate in cache.Load(DateTimeOffset.UtcNow))
        {
            var entry = _entries.GetOrAdd(certificate.Id.ToString(), _ => new Entry());
            entry.Current = certificate;
            entry.State = CertificateState.Available;
            entry.FirstIssue.TrySetResult(certificate);
        }
    }

    public bool TryGet(SpiffeId id, out WorkloadCertificate certificate)
    {
        certificate = null!;
        if (!_entries.TryGetValue(id.ToString(), out var entry) || entry.Current is null) return false;
        certificate = entry.Current;
        return true;
    }

    /// <summary>Waits for the identity's certificate up to <paramref name="timeout"/> (TimeoutException after).</summary>
    public async Task<WorkloadCertificate> WaitForAsync(SpiffeId id, TimeSpan timeout, CancellationToken ct = default)
    {
        var entry = _entries.GetOrAdd(id.ToString(), _ => new Entry());
        if (entry.Current is { } current) return current;
        try { return await entry.FirstIssue.Task.WaitAsync(timeout, ct); }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no certificate for {id} within {timeout.TotalSeconds:0.#} s" +
                (entry.LastError is { } error ? $" (last error: {error})" : ""));
        }
    }

    /// <summary>How long <see cref="GetAsync"/> waits for an identity's first SVID.</summary>
    public TimeSpan WaitTimeout { get; }

    /// <summary>The identity's current SVID, waiting up to <see cref="WaitTimeout"/> for the first one.</summary>
    public async ValueTask<WorkloadCertificate> GetAsync(SpiffeId id, CancellationToken cancellationToken) =>
        await WaitForAsync(id, WaitTimeout, cancellationToken).ConfigureAwait(false);

    internal void Pending(SpiffeId id) => _entries.GetOrAdd(id.ToString(), _ => new Entry());

    internal void Put(WorkloadCertificate certificate)
    {
        var entry = _entries.GetOrAdd(certificate.Id.ToString(), _ => new Entry());
        entry.Current = certificate;
        entry.State = CertificateState.Available;
        entry.LastError = null;
        entry.FirstIssue.TrySetResult(certificate);
        _cache?.Save(certificate);
    }

    internal void Fail(SpiffeId id, string error)
    {
        var entry = _entries.GetOrAdd(id.ToString(), _ => new Entry());
        entry.LastError = error;
        if (entry.Current is null || entry.Current.NotAfter <= DateTimeOffset.UtcNow) entry.State = CertificateState.Failed;
    }

    /// <summary>
    /// Drops identities the (synced) node view no longer needs, including ones only restored from the cache, and
    /// their cached files. Not done on actor stop: a graceful shutdown must keep the cache for the next start.
    /// </summary>
    internal void Prune(IReadOnlySet<SpiffeId> needed)
    {
        foreach (var (key, entry) in _entries)
        {
            var id = entry.Current?.Id ?? (SpiffeId.TryParse(key, out var parsed, out _) ? parsed : null);
            if (id is null || needed.Contains(id)) continue;
            if (_entries.TryRemove(key, out var removed))
                removed.FirstIssue.TrySetException(new InvalidOperationException($"{id} is no longer needed on this node"));
        }
        _cache?.DeleteAllExcept(needed);
    }

    internal void Remove(SpiffeId id)
    {
        if (_entries.TryRemove(id.ToString(), out var entry))
            entry.FirstIssue.TrySetException(new InvalidOperationException($"{id} is no longer needed on this node"));
    }

    /// <summary>Snapshot for the admin view: identity, state, current certificate (if any), last error.</summary>
    public IReadOnlyList<(string Identity, CertificateState State, WorkloadCertificate? Current, string? LastError)> Snapshot() =>
        _entries.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => (e.Key, e.Value.State, e.Value.Current, e.Value.LastError)).ToList();
}
