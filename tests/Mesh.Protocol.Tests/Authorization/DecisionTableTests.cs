using Mesh.Protocol.Authz;

namespace Mesh.Protocol.Tests.Authz;

/// <summary>The decision table: every row of <see cref="FieldCases"/>, <see cref="StructureCases"/> and <see cref="ScopeCases"/>.</summary>
public class DecisionTableTests
{
    private static readonly Dictionary<string, AuthzCase> Cases =
        FieldCases.All().Concat(StructureCases.All()).Concat(ScopeCases.All()).ToDictionary(c => c.Name);

    /// <summary>Rows are passed by name so that each counts (and reports) as its own test.</summary>
    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Decides(string name)
    {
        var row = Cases[name];
        var index = new PolicyIndex(row.Policies);
        var request = row.Conn.ToRequest();
        var decision = AuthorizationEvaluator.Evaluate(request, AuthzTable.Web(row.Selected ?? []), index);

        Assert.Equal(row.Expect.Verdict, decision.Verdict);
        Assert.Equal(row.Expect.Reason, decision.Reason);
        Assert.Equal(row.Expect.Policy, decision.PolicyKey);
        Assert.Equal(row.Expect.Rule, decision.RuleIndex);
        Assert.Equal(row.Expect.DryRun, decision.DryRun?.Verdict);
        Assert.Equal(row.Expect.DryRun is { } dry && dry != row.Expect.Verdict, decision.DryRunAffected);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Explain_agrees_with_the_decision(string name)
    {
        var row = Cases[name];
        var request = row.Conn.ToRequest();
        var scope = new PolicyIndex(row.Policies).For(AuthzTable.Web(row.Selected ?? []));
        var explanation = AuthorizationExplainer.Explain(request, scope);

        Assert.Equal(AuthorizationEvaluator.Evaluate(request, scope), explanation.Decision);
        Assert.Equal(scope.Policies.Select(p => p.Key), explanation.Policies.Select(p => p.Key));
        if (explanation.Decision.PolicyKey is { } decider)
        {
            var trace = explanation.Policies.Single(p => p.Key == decider);
            Assert.True(trace.Matched);
            Assert.Equal(explanation.Decision.RuleIndex, trace.MatchedRule);
        }
        foreach (var trace in explanation.Policies.Where(p => !p.Matched))
            Assert.StartsWith("no ", trace.Summary);
    }

    [Fact]
    public void Table_has_at_least_a_hundred_distinct_rows()
    {
        Assert.True(Cases.Count >= 100, $"only {Cases.Count} rows");
    }
}
