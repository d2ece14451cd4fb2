using System.Globalization;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Authz;

/// <summary>
/// Explain mode: the same decision as <see cref="AuthorizationEvaluator"/>, plus a trace of every rule, clause
/// and alternative of every policy in scope. For tools (meshctl x authz check) and debug logs, not the hot path.
/// </summary>
public static class AuthorizationExplainer
{
    public static AuthorizationExplanation Explain(in AuthorizationRequest request, ScopedPolicies scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var decision = AuthorizationEvaluator.Evaluate(request, scope);
        var traces = new List<PolicyTrace>(scope.Policies.Count);
        foreach (var policy in scope.Policies) traces.Add(Trace(request, policy));
        return new AuthorizationExplanation(decision, traces, scope.MissingKeys);
    }

    public static AuthorizationExplanation Explain(in AuthorizationRequest request, Workload destination, PolicyIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return Explain(request, index.For(destination));
    }

    private static PolicyTrace Trace(in AuthorizationRequest request, CompiledPolicy policy)
    {
        var rules = new List<RuleTrace>(policy.Rules.Length);
        for (var r = 0; r < policy.Rules.Length; r++) rules.Add(TraceRule(request, r, policy.Rules[r]));
        var matchedRule = rules.FindIndex(t => t.Matched);
        var p = policy.Policy;
        return new PolicyTrace(policy.Key, p.Action, p.Scope, policy.Origin, p.DryRun, matchedRule >= 0, matchedRule,
            Summarize(policy, rules, matchedRule), rules);
    }

    private static RuleTrace TraceRule(in AuthorizationRequest request, int index, CompiledMatch[][] clauses)
    {
        var traces = new List<ClauseTrace>(clauses.Length);
        for (var c = 0; c < clauses.Length; c++)
        {
            var alternatives = new List<MatchTrace>(clauses[c].Length);
            for (var a = 0; a < clauses[c].Length; a++)
            {
                var failed = clauses[c][a].Check(request);
                alternatives.Add(failed == MatchField.None
                    ? new MatchTrace(a, true, MatchField.None, null)
                    : new MatchTrace(a, false, failed, MatchDetail.Describe(clauses[c][a].Source, failed, request)));
            }
            traces.Add(new ClauseTrace(c, alternatives.Count == 0 || alternatives.Any(t => t.Matched), alternatives));
        }
        return new RuleTrace(index, traces.All(t => t.Matched), traces);
    }

    private static string Summarize(CompiledPolicy policy, List<RuleTrace> rules, int matchedRule)
    {
        var dryRun = policy.DryRun ? " (dry-run: reported, not enforced)" : "";
        if (rules.Count == 0)
            return (policy.IsDeny ? "no rules: matches nothing" : "no rules: matches nothing, so this ALLOW allows nothing") + dryRun;
        if (matchedRule >= 0)
            return $"matched rule {Number(matchedRule)}" +
                   (rules[matchedRule].Clauses.Count == 0 ? " (a rule with no conditions matches everything)" : "") + dryRun;
        var reasons = rules.Select(rule =>
        {
            var clause = rule.Clauses.First(c => !c.Matched);
            var why = clause.Alternatives.Count == 1
                ? clause.Alternatives[0].Detail
                : "no alternative matched (" + string.Join("; ", clause.Alternatives.Select(a => a.Detail)) + ")";
            return $"rule {Number(rule.Index)}: clause {Number(clause.Index)}: {why}";
        });
        return "no match: " + string.Join(" | ", reasons) + dryRun;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
