using Mesh.Protocol.Model;

namespace Mesh.Protocol.Authz;

/// <summary>One alternative of a clause: matched, or the first field that failed and why.</summary>
public sealed record MatchTrace(int Index, bool Matched, MatchField FailedField, string? Detail);

/// <summary>One clause of a rule: it holds when any alternative matches (or it has none).</summary>
public sealed record ClauseTrace(int Index, bool Matched, IReadOnlyList<MatchTrace> Alternatives);

/// <summary>One rule of a policy: it matches when every clause holds.</summary>
public sealed record RuleTrace(int Index, bool Matched, IReadOnlyList<ClauseTrace> Clauses);

/// <summary>Why one policy in scope did or did not match the connection.</summary>
public sealed record PolicyTrace(
    string Key,
    PolicyAction Action,
    PolicyScope Scope,
    PolicyOrigin Origin,
    bool DryRun,
    bool Matched,
    int MatchedRule,
    string Summary,
    IReadOnlyList<RuleTrace> Rules);

/// <summary>The decision plus, for every policy in scope, why it did or did not match.</summary>
public sealed record AuthorizationExplanation(
    AuthorizationDecision Decision,
    IReadOnlyList<PolicyTrace> Policies,
    IReadOnlyList<string> MissingPolicies);
