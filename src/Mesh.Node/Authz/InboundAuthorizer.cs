using Mesh.Node.State;

namespace Mesh.Node.Authz;

/// <summary>
/// The current <see cref="PolicySnapshot"/>: compiled once per <see cref="NodeView"/> (the first reader after a change
/// compiles, under a lock, then every reader shares it lock-free until the next view arrives).
/// </summary>
public sealed class InboundAuthorizer(NodeViewStore store, string rootNamespace)
{
    private readonly Lock _compile = new();
    private volatile PolicySnapshot? _current;

    public string RootNamespace { get; } = rootNamespace;

    public PolicySnapshot Current
    {
        get
        {
            var view = store.View;
            var current = _current;
            if (current is not null && ReferenceEquals(current.View, view)) return current;
            lock (_compile)
            {
                view = store.View;
                current = _current;
                if (current is not null && ReferenceEquals(current.View, view)) return current;
                current = new PolicySnapshot(view, RootNamespace);
                _current = current;
                return current;
            }
        }
    }
}
