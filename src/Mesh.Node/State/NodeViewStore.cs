using System.Collections.Concurrent;
using Mesh.Protocol.Contracts;

namespace Mesh.Node.State;

/// <summary>
/// Holds the current <see cref="NodeView"/> and the cache of remote-address lookups. Written only by the
/// state actors, read by anyone without locks (a volatile reference swap per update).
/// </summary>
public sealed class NodeViewStore(string node)
{
    private volatile NodeView _view = NodeView.Empty(node);
    private readonly ConcurrentDictionary<string, AddressRecord> _addresses = new(StringComparer.Ordinal);

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

    /// <summary>Raised after an address record was stored (for the state cache; never on the data path).</summary>
    public event Action? AddressChanged;

    public bool TryGetAddress(string address, out AddressRecord record) => _addresses.TryGetValue(address, out record!);

    public void PutAddress(AddressRecord record)
    {
        _addresses[record.Address] = record;
        AddressChanged?.Invoke();
    }

    /// <summary>Seeds the store from a previous run's cache; it stays not <see cref="Synced"/> until a snapshot arrives.</summary>
    public void Restore(NodeSlice slice, IEnumerable<AddressRecord> addresses)
    {
        foreach (var record in addresses) _addresses[record.Address] = record;
        _view = new NodeView(slice, 0);
    }
    public IReadOnlyCollection<string> CachedAddresses => (IReadOnlyCollection<string>)_addresses.Keys;
}
