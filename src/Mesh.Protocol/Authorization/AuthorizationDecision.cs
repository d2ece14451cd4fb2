using Policy = Mesh.Protocol.Model.Authorization;

namespace Mesh.Protocol.Authz;

public enum AuthorizationVerdict { Allow = 0, Deny = 1 }

/// <summary>Why the verdict is what it is (Istio's order: DENY first, then ALLOW).</summary>
public enum DecisionReason
{
    /// <summary>No policy in scope: allowed.</summary>
    NoPolicies = 0,
    /// <summary>No DENY matched and no ALLOW policy applies: allowed.</summary>
    NoAllowPolicies,
    /// <summary>An ALLOW policy matched.</summary>
    AllowPolicyMatched,
    /// <summary>A DENY AuthorizationPolicy matched.</summary>
    DenyPolicyMatched,
    /// <summary>A PeerAuthentication-derived DENY matched: plaintext to a STRICT workload or port.</summary>
    PeerAuthenticationStrict,
    /// <summary>ALLOW policies apply and none matched: denied.</summary>
    NoAllowPolicyMatched,
}

/// <summary>
/// One evaluation's outcome: the verdict, the reason, and the deciding policy and rule (index into the L4
/// policy's rules as the control plane published them) when a policy decided it.
/// </summary>
public readonly record struct Outcome(AuthorizationVerdict Verdict, DecisionReason Reason, CompiledPolicy? Policy, int RuleIndex)
{
    public bool IsAllowed => Verdict == AuthorizationVerdict.Allow;

    /// <summary>A short sentence for logs and the CLI.</summary>
    public string Describe() => Reason switch
    {
        DecisionReason.NoPolicies => "allowed: no policies apply",
        DecisionReason.NoAllowPolicies => "allowed: no DENY matched and no ALLOW policy applies",
        DecisionReason.AllowPolicyMatched => $"allowed by {Policy?.Key} rule {RuleIndex}",
        DecisionReason.DenyPolicyMatched => $"denied by {Policy?.Key} rule {RuleIndex}",
        DecisionReason.PeerAuthenticationStrict => $"denied: PeerAuthentication STRICT refuses plaintext ({Policy?.Key})",
        DecisionReason.NoAllowPolicyMatched => "denied: ALLOW policies apply and none matched",
        _ => Reason.ToString(),
    };
}

/// <summary>
/// The decision for a connection. <see cref="Enforced"/> is what happens; dry-run policies never enforce.
/// <see cref="DryRun"/> is the outcome had the dry-run policies been enforced too (null when none is in scope);
/// <see cref="DryRunAffected"/> says whether they would have changed the verdict.
/// </summary>
public readonly record struct AuthorizationDecision(Outcome Enforced, Outcome? DryRun)
{
    public AuthorizationVerdict Verdict => Enforced.Verdict;
    public bool IsAllowed => Enforced.IsAllowed;
    public DecisionReason Reason => Enforced.Reason;
    public Policy? Policy => Enforced.Policy?.Policy;
    public string? PolicyKey => Enforced.Policy?.Key;
    public int RuleIndex => Enforced.RuleIndex;
    public bool DryRunAffected => DryRun is { } shadow && shadow.Verdict != Enforced.Verdict;

    public override string ToString() => DryRun is { } shadow && DryRunAffected
        ? $"{Enforced.Describe()} (dry-run: would be {shadow.Describe()})"
        : Enforced.Describe();
}
