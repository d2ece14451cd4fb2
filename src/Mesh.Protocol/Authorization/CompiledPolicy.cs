using Policy = Mesh.Protocol.Model.Authorization;

namespace Mesh.Protocol.Authz;

/// <summary>
/// An <see cref="Policy"/> compiled for evaluation (rules → clauses → alternatives). Semantics are the ztunnel's:
/// a policy without rules matches nothing (<c>spec: {}</c>); a rule without clauses matches everything
/// (<c>rules: [{}]</c>); a clause without alternatives holds; an alternative without constraints never matches.
/// Immutable and safe to share between threads.
/// </summary>
public sealed class CompiledPolicy
{
    internal readonly CompiledMatch[][][] Rules;

    public CompiledPolicy(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        Key = policy.Key;
        Origin = PeerAuthenticationPolicies.OriginOf(policy);
        Rules = new CompiledMatch[policy.Rules.Count][][];
        for (var r = 0; r < Rules.Length; r++)
        {
            var clauses = policy.Rules[r].Clauses;
            Rules[r] = new CompiledMatch[clauses.Count][];
            for (var c = 0; c < clauses.Count; c++)
                Rules[r][c] = clauses[c].Matches.Select(m => new CompiledMatch(m)).ToArray();
        }
    }

    public Policy Policy { get; }

    /// <summary>"namespace/name".</summary>
    public string Key { get; }

    public PolicyOrigin Origin { get; }
    public bool IsDeny => Policy.Action == Model.PolicyAction.Deny;
    public bool DryRun => Policy.DryRun;

    /// <summary>Index of the first rule that matches, or -1.</summary>
    public int FirstMatchingRule(in AuthorizationRequest request)
    {
        for (var r = 0; r < Rules.Length; r++)
            if (RuleMatches(Rules[r], request)) return r;
        return -1;
    }

    private static bool RuleMatches(CompiledMatch[][] clauses, in AuthorizationRequest request)
    {
        foreach (var clause in clauses)
            if (!ClauseMatches(clause, request)) return false;
        return true;
    }

    private static bool ClauseMatches(CompiledMatch[] alternatives, in AuthorizationRequest request)
    {
        if (alternatives.Length == 0) return true;
        foreach (var alternative in alternatives)
            if (alternative.Check(request) == MatchField.None) return true;
        return false;
    }

    public override string ToString() => Key;
}
