using Mesh.Protocol.Authz;

namespace Mesh.Cli.Commands.Authz;

/// <summary><c>x authz check -o json</c>: the source, and one result per destination workload.</summary>
public sealed record AuthzCheckView(string Source, string State, IReadOnlyList<string> Notes, IReadOnlyList<AuthzResultView> Results);

/// <summary>The decision for one destination workload, and why each policy in scope did or did not match.</summary>
public sealed record AuthzResultView(
    string Destination,
    string Address,
    string Via,
    string Decision,
    DecisionReason Reason,
    string Summary,
    string? Policy,
    int? Rule,
    AuthzOutcomeView? DryRun,
    bool DryRunAffected,
    IReadOnlyList<PolicyTrace> Policies,
    IReadOnlyList<string> MissingPolicies,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Notes);

/// <summary>What would happen if the dry-run policies in scope were enforced too.</summary>
public sealed record AuthzOutcomeView(string Decision, DecisionReason Reason, string Summary, string? Policy, int? Rule)
{
    public static AuthzOutcomeView From(Outcome o) =>
        new(Word(o.Verdict), o.Reason, o.Describe(), o.Policy?.Key, o.RuleIndex >= 0 ? o.RuleIndex : null);

    public static string Word(AuthorizationVerdict verdict) => verdict == AuthorizationVerdict.Allow ? "ALLOW" : "DENY";
}
