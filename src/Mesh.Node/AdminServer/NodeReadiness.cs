using System.Collections.Concurrent;
using Mesh.Node.State;

namespace Mesh.Node.AdminServer;

/// <summary>
/// Whether this ztunnel is ready to serve (<c>/healthz/ready</c> on 15021): it has its node's state from the control
/// plane, and no component holds a readiness block. A component that must be up first (e.g. the listeners of
/// already-captured pods after a restart) takes a block at startup and disposes it once running — like ztunnel's
/// readiness tasks. Thread-safe.
/// </summary>
public sealed class NodeReadiness(NodeViewStore store)
{
    private readonly ConcurrentDictionary<long, string> _blocks = new();
    private long _next;

    /// <summary>Not ready until the returned handle is disposed. <paramref name="reason"/> is shown while pending.</summary>
    public IDisposable Block(string reason)
    {
        var id = Interlocked.Increment(ref _next);
        _blocks[id] = reason;
        return new Release(this, id);
    }

    /// <summary>Ready, or the reasons it is not (state not synced, pending blocks).</summary>
    public (bool Ready, IReadOnlyList<string> Pending) Check()
    {
        var pending = new List<string>();
        if (!store.Synced) pending.Add("node state not received from the control plane");
        pending.AddRange(_blocks.OrderBy(b => b.Key).Select(b => b.Value));
        return (pending.Count == 0, pending);
    }

    private sealed class Release(NodeReadiness owner, long id) : IDisposable
    {
        public void Dispose() => owner._blocks.TryRemove(id, out _);
    }
}
