using System.Diagnostics.CodeAnalysis;
using Mesh.Protocol.Model;
using Policy = Mesh.Protocol.Model.Authorization;

namespace Mesh.Protocol.Authz;

/// <summary>
/// Every L4 policy of one state version, compiled and indexed the way the ztunnel looks them up: by key, by
/// namespace (NAMESPACE scope) and mesh-wide (GLOBAL scope, or NAMESPACE scope in the root namespace).
/// WORKLOAD_SELECTOR policies apply only to the workloads that list their key (the control plane does the
/// selecting). Immutable: build a new index when the policies change, then re-resolve scopes.
/// </summary>
public sealed class PolicyIndex
{
    /// <summary>Istio's default root namespace.</summary>
    public const string DefaultRootNamespace = "istio-system";

    public static readonly PolicyIndex Empty = new([]);

    private readonly Dictionary<string, CompiledPolicy> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompiledPolicy[]> _byNamespace;
    private readonly CompiledPolicy[] _global;

    public PolicyIndex(IEnumerable<Policy> policies, string rootNamespace = DefaultRootNamespace)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentException.ThrowIfNullOrEmpty(rootNamespace);
        RootNamespace = rootNamespace;
        foreach (var policy in policies) _byKey[policy.Key] = new CompiledPolicy(policy); // a later duplicate replaces
        var ordered = _byKey.Values.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        _global = ordered.Where(IsGlobal).ToArray();
        _byNamespace = ordered.Where(p => p.Policy.Scope == PolicyScope.Namespace && !IsGlobal(p))
            .GroupBy(p => p.Policy.Namespace, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    public string RootNamespace { get; }
    public int Count => _byKey.Count;
    public IEnumerable<CompiledPolicy> All => _byKey.Values.OrderBy(p => p.Key, StringComparer.Ordinal);

    public bool TryGet(string key, [NotNullWhen(true)] out CompiledPolicy? policy) => _byKey.TryGetValue(key, out policy);

    /// <summary>The policies that apply to connections to <paramref name="destination"/>. Cache the result per workload.</summary>
    public ScopedPolicies For(Workload destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return For(destination.Namespace, destination.AuthorizationPolicies);
    }

    /// <summary>Namespace policies of <paramref name="namespace"/>, global policies, and the listed selector policies.</summary>
    public ScopedPolicies For(string @namespace, IEnumerable<string> selectedKeys)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<CompiledPolicy>();
        var missing = new List<string>();
        if (_byNamespace.TryGetValue(@namespace, out var local))
            foreach (var p in local) if (seen.Add(p.Key)) found.Add(p);
        foreach (var p in _global) if (seen.Add(p.Key)) found.Add(p);
        foreach (var key in selectedKeys)
        {
            if (!seen.Add(key)) continue;
            if (_byKey.TryGetValue(key, out var p)) found.Add(p);
            else missing.Add(key); // not (yet) in this state version: skipped, as the ztunnel does
        }
        return new ScopedPolicies(@namespace, found, missing);
    }

    private bool IsGlobal(CompiledPolicy p) =>
        p.Policy.Scope == PolicyScope.Global || (p.Policy.Scope == PolicyScope.Namespace && p.Policy.Namespace == RootNamespace);
}
