using Mesh.Protocol.Model;

namespace Mesh.Protocol.Authz;

/// <summary>
/// The L4 authorization decision, with Istio's semantics (CUSTOM/AUDIT never reach L4):
/// any matching DENY → deny; else no ALLOW policy → allow; any matching ALLOW → allow; else deny.
/// PeerAuthentication STRICT arrives as DENY policies (see <see cref="PeerAuthenticationPolicies"/>) and is
/// evaluated with them. Dry-run policies are evaluated into <see cref="AuthorizationDecision.DryRun"/> only.
/// Pure and allocation-free: call it per connection, and again for every live connection when the policies or
/// the destination workload change.
/// </summary>
public static class AuthorizationEvaluator
{
    /// <summary>Evaluates against a scope resolved once per destination (<see cref="PolicyIndex.For(Workload)"/>).</summary>
    public static AuthorizationDecision Evaluate(in AuthorizationRequest request, ScopedPolicies scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var enforced = Decide(request, scope.Deny, [], scope.Allow, []);
        Outcome? dryRun = scope.HasDryRun
            ? Decide(request, scope.Deny, scope.DryRunDeny, scope.Allow, scope.DryRunAllow)
            : null;
        return new AuthorizationDecision(enforced, dryRun);
    }

    /// <summary>Convenience for one-off checks: resolves the destination's scope, then evaluates.</summary>
    public static AuthorizationDecision Evaluate(in AuthorizationRequest request, Workload destination, PolicyIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return Evaluate(request, index.For(destination));
    }

    private static Outcome Decide(in AuthorizationRequest request,
        CompiledPolicy[] deny, CompiledPolicy[] extraDeny, CompiledPolicy[] allow, CompiledPolicy[] extraAllow)
    {
        if (FirstMatch(request, deny, extraDeny) is ({ } denied, var denyRule))
            return new Outcome(AuthorizationVerdict.Deny,
                denied.Origin == PolicyOrigin.PeerAuthentication ? DecisionReason.PeerAuthenticationStrict : DecisionReason.DenyPolicyMatched,
                denied, denyRule);
        if (allow.Length + extraAllow.Length == 0)
            return new Outcome(AuthorizationVerdict.Allow,
                deny.Length + extraDeny.Length == 0 ? DecisionReason.NoPolicies : DecisionReason.NoAllowPolicies, null, -1);
        if (FirstMatch(request, allow, extraAllow) is ({ } allowed, var allowRule))
            return new Outcome(AuthorizationVerdict.Allow, DecisionReason.AllowPolicyMatched, allowed, allowRule);
        return new Outcome(AuthorizationVerdict.Deny, DecisionReason.NoAllowPolicyMatched, null, -1);
    }

    private static (CompiledPolicy?, int) FirstMatch(in AuthorizationRequest request, CompiledPolicy[] first, CompiledPolicy[] second)
    {
        foreach (var p in first)
            if (p.FirstMatchingRule(request) is var rule and >= 0) return (p, rule);
        foreach (var p in second)
            if (p.FirstMatchingRule(request) is var rule and >= 0) return (p, rule);
        return (null, -1);
    }
}
