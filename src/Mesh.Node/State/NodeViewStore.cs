using System.Collections.Concurrent;
using Mesh.Protocol.Contracts;

namespace Mesh.Node.State;

/// <summary>
/// Holds the current <see cref="NodeView"/> and the cache of remote-address lookups. Written only by the
/// state actors, read by anyone without locks (a volatile reference swap per view update; a concurrent dictionary
/// read per address). Which addresses stay cached, and for how long, is <see cref="AddressCache"/>'s decision; the
/// store only keeps each entry's expiry and when the data path last read it.
/// </summary>
/// <param name="node">The node this ztunnel serves.</param>
/// <param name="clockMs">Monotonic milliseconds for expiry and last use (tests pass a manual clock); default <see cref="Environment.TickCount64"/>.</param>
public sealed class NodeViewStore(string node, Func<long>? clockMs = null)
{
    private readonly Func<long> _clock = clockMs ?? (static () => Environment.TickCount64);

    /// <summary>A read refreshes an entry's last use at most this often (ms), so hot entries are not written per read.</summary>
    private const long TouchGranularityMs = 1_000;

    private volatile NodeView _view = NodeView.Empty(node);
    private readonly ConcurrentDictionary<string, CachedAddress> _addresses = new(StringComparer.Ordinal);

    public string Node { get; } = node;
    public NodeView View => _view;

    /// <summary>True once a snapshot from the control plane has arrived (the node view is authoritative).</summary>
    public bool Synced { get; private set; }

    /// <summary>Raised after each applied change (tests and admin views await it; never on the data path).</summary>
    public event Action<NodeView>? Changed;

    public void Apply(NodeSlice slice, long version)
    {
        var changed = !Synced || !_view.Slice.Equals(slice);
        Synced = true;
        if (!changed) return;
        _view = new NodeView(slice, version);
        Changed?.Invoke(_view);
    }

    /// <summary>
    /// Raised after the set of known (in-mesh) address records changed — stored, replaced or removed — for the state
    /// cache; never on the data path. Negative answers do not raise it: they are short-lived and never persisted.
    /// </summary>
    public event Action? AddressChanged;

    /// <summary>Milliseconds on the clock entries are stamped with (monotonic).</summary>
    public long NowMs => _clock();

    /// <summary>
    /// The cached record for an address, if it is cached and not expired. The data path's read: lock-free, and it
    /// marks the entry as used (what keeps it from being evicted).
    /// </summary>
    public bool TryGetAddress(string address, out AddressRecord record)
    {
        if (_addresses.TryGetValue(address, out var entry))
        {
            var now = NowMs;
            if (now < entry.ExpiresAtMs)
            {
                if (now - Volatile.Read(ref entry.LastUsedMs) >= TouchGranularityMs) Volatile.Write(ref entry.LastUsedMs, now);
                record = entry.Record;
                return true;
            }
        }
        record = null!;
        return false;
    }

    /// <summary>
    /// Stores a record. It reads as absent from <paramref name="expiresAtMs"/> (<see cref="NowMs"/> clock) on; the
    /// default keeps it until it is replaced or removed. <paramref name="used"/> false (an update the control plane
    /// pushed) keeps the entry's last use as it was: a push is not a use by the data path.
    /// </summary>
    public void PutAddress(AddressRecord record, long expiresAtMs = long.MaxValue, bool used = true)
    {
        ArgumentNullException.ThrowIfNull(record);
        var now = NowMs;
        var previous = _addresses.TryGetValue(record.Address, out var old) ? old : null;
        var lastUsed = used || previous is null ? now : Volatile.Read(ref previous.LastUsedMs);
        _addresses[record.Address] = new CachedAddress(record, expiresAtMs, lastUsed);
        if (record.IsKnown || previous?.Record.IsKnown == true) AddressChanged?.Invoke();
    }

    /// <summary>Forgets an address; true when it was cached.</summary>
    public bool RemoveAddress(string address)
    {
        if (!_addresses.TryRemove(address, out var removed)) return false;
        if (removed.Record.IsKnown) AddressChanged?.Invoke();
        return true;
    }

    /// <summary>Whether the address has an entry at all, expired or not (no use is recorded).</summary>
    public bool HoldsAddress(string address) => _addresses.ContainsKey(address);

    /// <summary>Entries held, expired ones included until they are swept.</summary>
    public int AddressCount => _addresses.Count;

    /// <summary>Each entry's address, whether it is in the mesh, when it was last read and when it expires (no use is recorded).</summary>
    public IEnumerable<AddressEntry> AddressEntries()
    {
        foreach (var (address, entry) in _addresses)
            yield return new AddressEntry(address, entry.Record.IsKnown, Volatile.Read(ref entry.LastUsedMs), entry.ExpiresAtMs);
    }

    /// <summary>The in-mesh records currently cached and not expired (what the state cache persists; no use is recorded).</summary>
    public List<AddressRecord> KnownAddressRecords()
    {
        var now = NowMs;
        return _addresses.Values.Where(e => e.Record.IsKnown && now < e.ExpiresAtMs).Select(e => e.Record).ToList();
    }

    /// <summary>Seeds the store from a previous run's cache; it stays not <see cref="Synced"/> until a snapshot arrives.</summary>
    public void Restore(NodeSlice slice, IEnumerable<AddressRecord> addresses)
    {
        var now = NowMs;
        foreach (var record in addresses) _addresses[record.Address] = new CachedAddress(record, long.MaxValue, now);
        _view = new NodeView(slice, 0);
    }

    public IReadOnlyCollection<string> CachedAddresses => (IReadOnlyCollection<string>)_addresses.Keys;

    private sealed class CachedAddress(AddressRecord record, long expiresAtMs, long lastUsedMs)
    {
        public readonly AddressRecord Record = record;
        public readonly long ExpiresAtMs = expiresAtMs;
        public long LastUsedMs = lastUsedMs;
    }
}

/// <summary>What <see cref="NodeViewStore.AddressEntries"/> tells about one cached address.</summary>
public readonly record struct AddressEntry(string Address, bool IsKnown, long LastUsedMs, long ExpiresAtMs);
