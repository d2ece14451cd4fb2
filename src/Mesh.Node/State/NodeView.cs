using System.Collections.Frozen;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.State;

/// <summary>
/// An immutable, read-optimised view of this node's slice. The data path reads it lock-free through
/// <see cref="NodeViewStore"/>; a new view replaces the old one whole when the control plane pushes a change.
/// </summary>
public sealed class NodeView
{
    public NodeView(NodeSlice slice, long version)
    {
        Slice = slice;
        Version = version;
        WorkloadsByAddress = slice.Workloads
            .SelectMany(w => w.Addresses.Select(a => (a, w)))
            .GroupBy(x => x.a, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First().w, StringComparer.Ordinal);
        WorkloadsByUid = slice.Workloads.ToFrozenDictionary(w => w.Uid, StringComparer.Ordinal);
        ServicesByKey = slice.Services.ToFrozenDictionary(s => s.Key, StringComparer.Ordinal);
        PoliciesByKey = slice.Policies.ToFrozenDictionary(p => p.Key, StringComparer.Ordinal);
    }

    public static NodeView Empty(string node) => new(NodeSlice.EmptyFor(node), 0);

    public NodeSlice Slice { get; }
    public long Version { get; }
    public FrozenDictionary<string, Workload> WorkloadsByAddress { get; }
    public FrozenDictionary<string, Workload> WorkloadsByUid { get; }
    public FrozenDictionary<string, Service> ServicesByKey { get; }
    public FrozenDictionary<string, Authorization> PoliciesByKey { get; }
}
