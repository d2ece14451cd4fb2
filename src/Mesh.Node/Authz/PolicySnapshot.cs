using System.Collections.Concurrent;
using Mesh.Node.State;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Node.Authz;

/// <summary>
/// The L4 policies of one <see cref="NodeView"/>, compiled once (<see cref="PolicyIndex"/>), and the policies in scope
/// for each destination workload, resolved on first use and cached by workload. Immutable apart from that cache; a new
/// view gets a new snapshot (<see cref="InboundAuthorizer.Current"/>).
/// </summary>
public sealed class PolicySnapshot
{
    private readonly ConcurrentDictionary<string, (Workload Workload, ScopedPolicies Scope)> _scopes = new(StringComparer.Ordinal);

    public PolicySnapshot(NodeView view, string rootNamespace)
    {
        ArgumentNullException.ThrowIfNull(view);
        View = view;
        Index = new PolicyIndex(view.Slice.Policies, rootNamespace);
    }

    public NodeView View { get; }
    public PolicyIndex Index { get; }

    /// <summary>The policies that apply to connections to <paramref name="destination"/> (cached per workload).</summary>
    public ScopedPolicies ScopeFor(Workload destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_scopes.TryGetValue(destination.Uid, out var cached) && ReferenceEquals(cached.Workload, destination)) return cached.Scope;
        var scope = Index.For(destination);
        _scopes[destination.Uid] = (destination, scope);
        return scope;
    }

    /// <summary>The destination as this view knows it now (its policy list may have changed); the old one if it is gone.</summary>
    public Workload Refresh(Workload destination) =>
        View.WorkloadsByUid.TryGetValue(destination.Uid, out var current) ? current : destination;

    public AuthorizationDecision Evaluate(in AuthorizationRequest request, Workload destination) =>
        AuthorizationEvaluator.Evaluate(request, ScopeFor(destination));
}
