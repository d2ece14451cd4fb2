namespace Mesh.Protocol.Authz;

/// <summary>
/// The policies in scope for one destination workload, split the way the evaluator walks them. Ordered: DENY
/// before ALLOW, PeerAuthentication-derived DENYs first (so a refused plaintext connection is attributed to
/// PeerAuthentication), then by key. Immutable; valid until the policy index or the workload changes.
/// </summary>
public sealed class ScopedPolicies
{
    public static readonly ScopedPolicies None = new("", [], []);

    internal readonly CompiledPolicy[] Deny;
    internal readonly CompiledPolicy[] Allow;
    internal readonly CompiledPolicy[] DryRunDeny;
    internal readonly CompiledPolicy[] DryRunAllow;

    public ScopedPolicies(string @namespace, IEnumerable<CompiledPolicy> policies, IReadOnlyList<string> missingKeys)
    {
        Namespace = @namespace;
        Policies = policies
            .OrderBy(p => p.IsDeny ? 0 : 1)
            .ThenBy(p => p.Origin == PolicyOrigin.PeerAuthentication ? 0 : 1)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToArray();
        Deny = Policies.Where(p => p.IsDeny && !p.DryRun).ToArray();
        Allow = Policies.Where(p => !p.IsDeny && !p.DryRun).ToArray();
        DryRunDeny = Policies.Where(p => p.IsDeny && p.DryRun).ToArray();
        DryRunAllow = Policies.Where(p => !p.IsDeny && p.DryRun).ToArray();
        MissingKeys = missingKeys;
    }

    /// <summary>The destination's namespace.</summary>
    public string Namespace { get; }

    /// <summary>Every policy in scope, dry-run included, in evaluation order.</summary>
    public IReadOnlyList<CompiledPolicy> Policies { get; }

    /// <summary>Keys the workload lists that the index does not hold (skipped, as the ztunnel does).</summary>
    public IReadOnlyList<string> MissingKeys { get; }

    public bool HasDryRun => DryRunDeny.Length + DryRunAllow.Length > 0;
}
