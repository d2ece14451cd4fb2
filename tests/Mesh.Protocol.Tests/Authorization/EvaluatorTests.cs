using System.Net;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;
using static Mesh.Protocol.Tests.Authz.AuthzTable;

namespace Mesh.Protocol.Tests.Authz;

public class EvaluatorTests
{
    [Fact]
    public void Evaluating_a_resolved_scope_does_not_allocate()
    {
        var index = new PolicyIndex([
            StaticStrict,
            Named("app/deny", PolicyAction.Deny, Rule(Clause(M with { SourceIps = Ips("192.168.0.0/16"), NotDestinationPorts = Ports(22) }))),
            Named("app/allow", PolicyAction.Allow, Rule(Clause(M with { Principals = Principals("cluster.local/ns/prod/*") }), Clause(M with { DestinationPorts = Ports(80, 8080) })),
                Rule(Clause(M with { Namespaces = Strings("client"), ServiceAccounts = Accounts("client/curl") }))),
            Named("app/shadow", PolicyAction.Deny, Rule()).DryRun(),
        ]);
        var scope = index.For(Web(StaticStrict.Key));
        var request = Mtls().ToRequest();
        AuthorizationEvaluator.Evaluate(request, scope); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        AuthorizationDecision decision = default;
        for (var i = 0; i < 1000; i++) decision = AuthorizationEvaluator.Evaluate(request, scope);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal("app/allow", decision.PolicyKey);
        Assert.Equal(1, decision.RuleIndex);
        Assert.True(decision.DryRunAffected);
    }

    [Fact]
    public void Explain_names_the_failing_field_of_each_rule()
    {
        var index = new PolicyIndex([
            Named("app/allow", PolicyAction.Allow,
                Rule(Clause(M with { Principals = Principals("cluster.local/ns/prod/sa/api") })),
                Rule(Clause(M with { Namespaces = Strings("client") }), Clause(M with { DestinationPorts = Ports(80, 443) }))),
        ]);
        var explanation = AuthorizationExplainer.Explain(Mtls().ToRequest(), Web(), index);

        var trace = Assert.Single(explanation.Policies);
        Assert.False(trace.Matched);
        Assert.Equal(-1, trace.MatchedRule);
        Assert.Equal(MatchField.Principals, trace.Rules[0].Clauses[0].Alternatives[0].FailedField);
        Assert.True(trace.Rules[1].Clauses[0].Matched);
        Assert.Equal(MatchField.DestinationPorts, trace.Rules[1].Clauses[1].Alternatives[0].FailedField);
        Assert.Equal("no match: rule 0: clause 0: principal spiffe://cluster.local/ns/client/sa/curl not in principals [spiffe://cluster.local/ns/prod/sa/api]"
                     + " | rule 1: clause 1: port 8080 not in destinationPorts [80, 443]", trace.Summary);
        Assert.Equal("denied: ALLOW policies apply and none matched", explanation.Decision.Enforced.Describe());
    }

    [Fact]
    public void Explain_reports_plaintext_and_negative_matches_in_words()
    {
        var index = new PolicyIndex([
            Named("app/a", PolicyAction.Allow, Rule(Clause(M with { Namespaces = Strings("client") }))),
            Named("app/b", PolicyAction.Allow, Rule(Clause(M with { NotSourceIps = Ips("10.1.0.0/16") }))),
            Named("app/c", PolicyAction.Allow),
        ]);
        var explanation = AuthorizationExplainer.Explain(Plain().ToRequest(), Web(), index);

        Assert.Equal("no match: rule 0: clause 0: plaintext source has no namespace (namespaces [client])", explanation.Policies[0].Summary);
        Assert.Equal("no match: rule 0: clause 0: source 10.1.0.5 is in notSourceIps [10.1.0.0/16]", explanation.Policies[1].Summary);
        Assert.Equal("no rules: matches nothing, so this ALLOW allows nothing", explanation.Policies[2].Summary);
    }

    [Fact]
    public void Explain_marks_dry_run_and_peer_authentication()
    {
        var index = new PolicyIndex([StaticStrict, Named("app/shadow", PolicyAction.Deny, Rule()).DryRun()]);
        var explanation = AuthorizationExplainer.Explain(Plain().ToRequest(), Web(StaticStrict.Key), index);

        Assert.Equal([StaticStrict.Key, "app/shadow"], explanation.Policies.Select(p => p.Key));
        Assert.Equal(PolicyOrigin.PeerAuthentication, explanation.Policies[0].Origin);
        Assert.Equal("matched rule 0 (a rule with no conditions matches everything) (dry-run: reported, not enforced)", explanation.Policies[1].Summary);
        Assert.Equal(DecisionReason.PeerAuthenticationStrict, explanation.Decision.Reason);
        Assert.StartsWith("denied: PeerAuthentication STRICT", explanation.Decision.ToString());
    }

    [Fact]
    public void Scope_lists_missing_keys_and_deduplicates()
    {
        var index = new PolicyIndex([Named("app/ns", PolicyAction.Deny, Rule()), Named("app/sel", PolicyAction.Deny, Rule()).Selector()]);
        var scope = index.For(Web("app/sel", "app/sel", "app/ns", "app/missing"));

        Assert.Equal(["app/ns", "app/sel"], scope.Policies.Select(p => p.Key));
        Assert.Equal(["app/missing"], scope.MissingKeys);
    }

    [Fact]
    public void Root_namespace_is_configurable()
    {
        var policies = new[] { Named("mesh-root/deny", PolicyAction.Deny, Rule()) };
        Assert.Equal(DecisionReason.NoPolicies, AuthorizationEvaluator.Evaluate(Mtls().ToRequest(), Web(), new PolicyIndex(policies)).Reason);
        Assert.Equal(DecisionReason.DenyPolicyMatched, AuthorizationEvaluator.Evaluate(Mtls().ToRequest(), Web(), new PolicyIndex(policies, "mesh-root")).Reason);
    }

    [Theory]
    [InlineData("not-an-ip", 32)]
    [InlineData("10.0.0.0", 33)]
    [InlineData("fe80::1%eth0", 128)]
    public void Invalid_ip_blocks_never_match(string address, int length)
    {
        var index = new PolicyIndex([Named("app/p", PolicyAction.Allow, Rule(Clause(M with { SourceIps = ValueList.Of(new IpBlock(address, length)) })))]);
        Assert.Equal(DecisionReason.NoAllowPolicyMatched, AuthorizationEvaluator.Evaluate(Plain().ToRequest(), Web(), index).Reason);
    }

    [Fact]
    public void Request_rejects_out_of_range_ports()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuthorizationRequest(null, IPAddress.Loopback, IPAddress.Loopback, 65536));
    }

    [Fact]
    public void Request_describes_itself()
    {
        Assert.Equal("spiffe://cluster.local/ns/client/sa/curl@10.1.0.5 -> 10.0.0.2:8080", Mtls().ToRequest().ToString());
        Assert.Equal("plaintext@fd00::1 -> [fd00::2]:80", Plain("fd00::1", 80, "fd00::2").ToRequest().ToString());
    }
}
