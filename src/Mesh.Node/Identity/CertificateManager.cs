using Akka.Actor;
using Mesh.Node.State;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;

namespace Mesh.Node.Identity;

/// <summary>
/// Keeps one <see cref="CertificateActor"/> per identity that this node's ambient pods use: started (prefetched)
/// as soon as the first pod with that service account is scheduled here, stopped — and its certificate dropped —
/// when the last one leaves. Driven by the node view, so it follows manifest edits and restarts alike.
/// </summary>
public sealed class CertificateManager : ReceiveActor
{
    private readonly NodeViewStore _view;
    private readonly CertificateStore _store;
    private readonly CertificateTimings _timings;
    private readonly Dictionary<SpiffeId, IActorRef> _children = [];

    public CertificateManager(NodeViewStore view, CertificateStore store, CertificateTimings timings)
    {
        _view = view;
        _store = store;
        _timings = timings;
        Receive<ViewChanged>(_ => Reconcile());
    }

    protected override void PreStart()
    {
        var self = Self;
        _view.Changed += _ => self.Tell(ViewChanged.Instance);
        Reconcile();
    }

    /// <summary>The identities this node needs: those of its ambient (HBONE) workloads.</summary>
    public static IReadOnlySet<SpiffeId> Needed(NodeView view) => view.Slice.Workloads
        .Where(w => w.TunnelProtocol == TunnelProtocol.Hbone)
        .Select(w => w.Identity)
        .ToHashSet();

    private void Reconcile()
    {
        var needed = Needed(_view.View);
        foreach (var id in needed.Where(id => !_children.ContainsKey(id)))
        {
            var node = _view.Node;
            _children[id] = Context.ActorOf(Props.Create(() => new CertificateActor(id, node, _store, _timings)),
                "cert-" + Uri.EscapeDataString(id.ToString()));
        }
        foreach (var id in _children.Keys.Where(id => !needed.Contains(id)).ToList())
        {
            Context.Stop(_children[id]);
            _children.Remove(id);
        }
        if (_view.Synced) _store.Prune(needed);
    }

    private sealed class ViewChanged
    {
        public static readonly ViewChanged Instance = new();
    }
}
