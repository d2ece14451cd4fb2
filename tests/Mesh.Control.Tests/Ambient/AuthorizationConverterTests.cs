using Mesh.Control.Ambient;
using Mesh.Control.Config.Crds;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class AuthorizationConverterTests
{
    private static MeshState Convert(params AuthorizationPolicy[] policies) => Compute(Set(policies: policies));

    private static Authorization Only(MeshState state) => Assert.Single(state.Policies);

    private static Match SingleMatch(Authorization policy) =>
        Assert.Single(Assert.Single(Assert.Single(policy.Rules).Clauses).Matches);

    private static StringMatch Exact(string v) => new(StringMatchKind.Exact, v);

    public static TheoryData<string, Source, Match> SourceFields() => new()
    {
        { "principals", new Source { Principals = ["cluster.local/ns/b/sa/c"] }, Match.Empty with { Principals = ValueList.Of<StringMatch>(Exact("spiffe://cluster.local/ns/b/sa/c")) } },
        { "principals prefix", new Source { Principals = ["cluster.local/ns/b/*"] }, Match.Empty with { Principals = ValueList.Of<StringMatch>(new StringMatch(StringMatchKind.Prefix, "spiffe://cluster.local/ns/b/")) } },
        { "principals suffix", new Source { Principals = ["*/sa/c"] }, Match.Empty with { Principals = ValueList.Of<StringMatch>(new StringMatch(StringMatchKind.Suffix, "/sa/c")) } },
        { "principals presence", new Source { Principals = ["*"] }, Match.Empty with { Principals = ValueList.Of<StringMatch>(new StringMatch(StringMatchKind.Presence, "")) } },
        { "notPrincipals", new Source { NotPrincipals = ["cluster.local/ns/b/sa/c"] }, Match.Empty with { NotPrincipals = ValueList.Of<StringMatch>(Exact("spiffe://cluster.local/ns/b/sa/c")) } },
        { "namespaces", new Source { Namespaces = ["b", "c*"] }, Match.Empty with { Namespaces = ValueList.Of<StringMatch>(Exact("b"), new StringMatch(StringMatchKind.Prefix, "c")) } },
        { "notNamespaces", new Source { NotNamespaces = ["b"] }, Match.Empty with { NotNamespaces = ValueList.Of<StringMatch>(Exact("b")) } },
        { "serviceAccounts", new Source { ServiceAccounts = ["b/sa1", "sa2"] }, Match.Empty with { ServiceAccounts = ValueList.Of<ServiceAccountMatch>(new ServiceAccountMatch("b", "sa1"), new ServiceAccountMatch("a", "sa2")) } },
        { "notServiceAccounts", new Source { NotServiceAccounts = ["sa2"] }, Match.Empty with { NotServiceAccounts = ValueList.Of<ServiceAccountMatch>(new ServiceAccountMatch("a", "sa2")) } },
        { "ipBlocks", new Source { IpBlocks = ["10.0.0.0/8", "1.2.3.4", "10.1.2.3/16", "fd00::1"] },
            Match.Empty with { SourceIps = ValueList.Of<IpBlock>(new IpBlock("10.0.0.0", 8), new IpBlock("1.2.3.4", 32), new IpBlock("10.1.0.0", 16), new IpBlock("fd00::1", 128)) } },
        { "notIpBlocks", new Source { NotIpBlocks = ["10.0.0.0/8"] }, Match.Empty with { NotSourceIps = ValueList.Of<IpBlock>(new IpBlock("10.0.0.0", 8)) } },
        { "remoteIpBlocks", new Source { RemoteIpBlocks = ["5.6.7.8"] }, Match.Empty with { SourceIps = ValueList.Of<IpBlock>(new IpBlock("5.6.7.8", 32)) } },
        { "notRemoteIpBlocks", new Source { NotRemoteIpBlocks = ["5.6.0.0/16"] }, Match.Empty with { NotSourceIps = ValueList.Of<IpBlock>(new IpBlock("5.6.0.0", 16)) } },
    };

    [Theory]
    [MemberData(nameof(SourceFields))]
    public void Every_source_field_is_mapped(string field, Source source, Match expected)
    {
        var state = Convert(Policy("a", "p", rules: From(source)));
        Assert.True(expected == SingleMatch(Only(state)), field);
        Assert.Empty(state.Warnings);
    }

    public static TheoryData<string, Operation, Match> OperationFields() => new()
    {
        { "ports", new Operation { Ports = ["80", "443"] }, Match.Empty with { DestinationPorts = ValueList.Of<int>(80, 443) } },
        { "notPorts", new Operation { NotPorts = ["22"] }, Match.Empty with { NotDestinationPorts = ValueList.Of<int>(22) } },
    };

    [Theory]
    [MemberData(nameof(OperationFields))]
    public void Every_operation_l4_field_is_mapped(string field, Operation operation, Match expected)
    {
        Assert.True(expected == SingleMatch(Only(Convert(Policy("a", "p", rules: To(operation))))), field);
    }

    public static TheoryData<string, string[]?, string[]?, Match> Conditions() => new()
    {
        { "source.ip", ["10.0.0.0/8"], ["10.1.0.0/16"], Match.Empty with { SourceIps = ValueList.Of<IpBlock>(new IpBlock("10.0.0.0", 8)), NotSourceIps = ValueList.Of<IpBlock>(new IpBlock("10.1.0.0", 16)) } },
        { "remote.ip", ["1.1.1.1"], null, Match.Empty with { SourceIps = ValueList.Of<IpBlock>(new IpBlock("1.1.1.1", 32)) } },
        { "source.namespace", ["b"], ["c"], Match.Empty with { Namespaces = ValueList.Of<StringMatch>(Exact("b")), NotNamespaces = ValueList.Of<StringMatch>(Exact("c")) } },
        { "source.principal", ["td/ns/b/sa/c"], ["*"], Match.Empty with { Principals = ValueList.Of<StringMatch>(Exact("spiffe://td/ns/b/sa/c")), NotPrincipals = ValueList.Of<StringMatch>(new StringMatch(StringMatchKind.Presence, "")) } },
        { "destination.ip", ["10.96.0.1"], ["10.96.0.2"], Match.Empty with { DestinationIps = ValueList.Of<IpBlock>(new IpBlock("10.96.0.1", 32)), NotDestinationIps = ValueList.Of<IpBlock>(new IpBlock("10.96.0.2", 32)) } },
        { "destination.port", ["8080"], ["9090"], Match.Empty with { DestinationPorts = ValueList.Of<int>(8080), NotDestinationPorts = ValueList.Of<int>(9090) } },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public void Every_l4_condition_key_is_mapped(string key, string[]? values, string[]? notValues, Match expected)
    {
        Assert.True(expected == SingleMatch(Only(Convert(Policy("a", "p", rules: When(key, values, notValues))))), key);
    }

    [Fact]
    public void Rule_shape_is_to_clause_then_from_clause_then_one_clause_per_condition()
    {
        var rule = new AuthorizationRule
        {
            From = [new RuleFrom { Source = new Source { Namespaces = ["b"] } }, new RuleFrom { Source = new Source { Namespaces = ["c"] } }],
            To = [new RuleTo { Operation = new Operation { Ports = ["80"] } }],
            When = [new Condition { Key = "source.ip", Values = ["1.1.1.1"] }, new Condition { Key = "destination.port", Values = ["80"] }],
        };
        var clauses = Assert.Single(Only(Convert(Policy("a", "p", rules: rule))).Rules).Clauses;
        Assert.Equal(4, clauses.Count);
        Assert.Equal([80], Assert.Single(clauses[0].Matches).DestinationPorts);
        Assert.Equal(2, clauses[1].Matches.Count);
        Assert.Equal([new IpBlock("1.1.1.1", 32)], Assert.Single(clauses[2].Matches).SourceIps);
        Assert.Equal([80], Assert.Single(clauses[3].Matches).DestinationPorts);
    }

    [Fact]
    public void Scope_global_namespace_and_workload_selector()
    {
        var state = Convert(
            Policy("istio-system", "mesh"),
            Policy("a", "ns"),
            Policy("a", "sel", selector: Labels(("app", "x"))),
            Policy("istio-system", "rootsel", selector: Labels(("app", "x"))));
        Assert.Equal(PolicyScope.Global, state.Policy("istio-system", "mesh").Scope);
        Assert.Equal(PolicyScope.Namespace, state.Policy("a", "ns").Scope);
        Assert.Equal(PolicyScope.WorkloadSelector, state.Policy("a", "sel").Scope);
        Assert.Equal(PolicyScope.WorkloadSelector, state.Policy("istio-system", "rootsel").Scope);
    }

    [Theory]
    [InlineData(null, PolicyAction.Allow)]
    [InlineData("ALLOW", PolicyAction.Allow)]
    [InlineData("DENY", PolicyAction.Deny)]
    public void Action_allow_default_and_deny(string? action, PolicyAction expected)
    {
        Assert.Equal(expected, Only(Convert(Policy("a", "p", action))).Action);
    }

    [Theory]
    [InlineData("AUDIT")]
    [InlineData("CUSTOM")]
    public void Audit_and_custom_are_skipped_with_warning(string action)
    {
        var state = Convert(Policy("a", "p", action, rules: new AuthorizationRule()));
        Assert.Empty(state.Policies);
        Assert.Contains(state.Warnings, w => w.Contains("a/p") && w.Contains(action));
    }

    [Fact]
    public void Target_ref_policies_belong_to_waypoints_and_are_skipped_silently()
    {
        var single = Policy("a", "p");
        single.Spec!.TargetRef = new PolicyTargetReference { Kind = "Gateway", Name = "wp" };
        var multi = Policy("a", "q");
        multi.Spec!.TargetRefs = [new PolicyTargetReference { Kind = "Service", Name = "s" }];
        var state = Convert(single, multi);
        Assert.Empty(state.Policies);
        Assert.Empty(state.Warnings);
    }

    [Fact]
    public void Empty_spec_allow_has_no_rules_and_allows_nothing()
    {
        var policy = Only(Convert(Policy("a", "p")));
        Assert.Equal(PolicyAction.Allow, policy.Action);
        Assert.Empty(policy.Rules);
    }

    [Fact]
    public void Empty_rule_matches_everything()
    {
        var rule = Assert.Single(Only(Convert(Policy("a", "p", rules: new AuthorizationRule()))).Rules);
        Assert.Empty(rule.Clauses);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Dry_run_annotation(string value, bool expected)
    {
        var policy = Policy("a", "p");
        policy.Metadata.Annotations = new Dictionary<string, string> { [AmbientLabels.DryRun] = value };
        Assert.Equal(expected, Only(Convert(policy)).DryRun);
    }

    public static TheoryData<string, AuthorizationRule> HttpOnlyRules() => new()
    {
        { "hosts", To(new Operation { Hosts = ["x"] }) },
        { "notHosts", To(new Operation { NotHosts = ["x"] }) },
        { "methods", To(new Operation { Methods = ["GET"] }) },
        { "notMethods", To(new Operation { NotMethods = ["GET"] }) },
        { "paths", To(new Operation { Paths = ["/x"] }) },
        { "notPaths", To(new Operation { NotPaths = ["/x"] }) },
        { "requestPrincipals", From(new Source { RequestPrincipals = ["iss/sub"] }) },
        { "notRequestPrincipals", From(new Source { NotRequestPrincipals = ["iss/sub"] }) },
        { "when request.headers[x]", When("request.headers[x]", ["y"]) },
    };

    [Theory]
    [MemberData(nameof(HttpOnlyRules))]
    public void Allow_rule_with_http_field_is_dropped_and_reported(string field, AuthorizationRule httpRule)
    {
        var l4Rule = From(new Source { Namespaces = ["b"] });
        var state = Convert(Policy("a", "p", "ALLOW", null, httpRule, l4Rule));
        var policy = Only(state);
        Assert.Equal([Exact("b")], SingleMatch(policy).Namespaces); // only the L4 rule survives
        Assert.Contains(state.Warnings, w => w.Contains("a/p") && w.Contains("partially applied") && w.Contains(field));
    }

    [Fact]
    public void Allow_rule_mixing_http_and_l4_is_dropped_entirely()
    {
        var rule = new AuthorizationRule
        {
            From = [new RuleFrom { Source = new Source { Namespaces = ["b"] } }],
            To = [new RuleTo { Operation = new Operation { Methods = ["GET"], Ports = ["80"] } }],
        };
        Assert.Empty(Only(Convert(Policy("a", "p", "ALLOW", null, rule))).Rules);
    }

    [Theory]
    [MemberData(nameof(HttpOnlyRules))]
    public void Deny_rule_with_only_http_fields_is_dropped(string field, AuthorizationRule httpRule)
    {
        var state = Convert(Policy("a", "p", "DENY", null, httpRule));
        Assert.Empty(Only(state).Rules);
        Assert.Contains(state.Warnings, w => w.Contains("partially applied") && w.Contains(field));
    }

    [Fact]
    public void Deny_rule_keeps_its_l4_parts()
    {
        var rule = new AuthorizationRule
        {
            From = [new RuleFrom { Source = new Source { Namespaces = ["b"], RequestPrincipals = ["iss/sub"] } }],
            To = [new RuleTo { Operation = new Operation { Methods = ["GET"], Ports = ["80"] } }],
            When = [new Condition { Key = "request.auth.claims[iss]", Values = ["x"] }],
        };
        var clauses = Assert.Single(Only(Convert(Policy("a", "p", "DENY", null, rule))).Rules).Clauses;
        Assert.Equal(2, clauses.Count); // the HTTP-only condition clause no longer restricts
        Assert.Equal(Match.Empty with { DestinationPorts = ValueList.Of<int>(80) }, Assert.Single(clauses[0].Matches));
        Assert.Equal(Match.Empty with { Namespaces = ValueList.Of<StringMatch>(Exact("b")) }, Assert.Single(clauses[1].Matches));
    }

    [Fact]
    public void Deny_clause_with_an_http_only_alternative_no_longer_restricts()
    {
        var rule = new AuthorizationRule
        {
            From = [new RuleFrom { Source = new Source { Namespaces = ["b"] } }],
            To = [new RuleTo { Operation = new Operation { Ports = ["80"] } }, new RuleTo { Operation = new Operation { Paths = ["/admin"] } }],
        };
        var clause = Assert.Single(Assert.Single(Only(Convert(Policy("a", "p", "DENY", null, rule))).Rules).Clauses);
        Assert.Equal(Match.Empty with { Namespaces = ValueList.Of<StringMatch>(Exact("b")) }, Assert.Single(clause.Matches));
    }

    public static TheoryData<string, AuthorizationRule> InvalidRules() => new()
    {
        { "ports", To(new Operation { Ports = ["http"] }) },
        { "notPorts", To(new Operation { NotPorts = ["70000"] }) },
        { "ipBlocks", From(new Source { IpBlocks = ["10.0.0.0/33"] }) },
        { "notIpBlocks", From(new Source { NotIpBlocks = ["not-an-ip"] }) },
        { "serviceAccounts", From(new Source { ServiceAccounts = ["a/b/c"] }) },
        { "destination.port", When("destination.port", ["x"]) },
        { "source.ip", When("source.ip", ["1.2.3"]) },
    };

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public void Invalid_value_drops_an_allow_rule_with_warning(string field, AuthorizationRule rule)
    {
        var state = Convert(Policy("a", "p", "ALLOW", null, rule));
        Assert.Empty(Only(state).Rules);
        Assert.Contains(state.Warnings, w => w.Contains("a/p rule 1") && w.Contains(field) && w.Contains("dropped"));
    }

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public void Invalid_value_widens_a_deny_rule_with_warning(string field, AuthorizationRule rule)
    {
        var state = Convert(Policy("a", "p", "DENY", null, rule));
        var kept = Assert.Single(Only(state).Rules);
        Assert.Empty(kept.Clauses); // the only constraint was invalid: the DENY now matches everything
        Assert.Contains(state.Warnings, w => w.Contains("a/p rule 1") && w.Contains(field) && w.Contains("more traffic"));
    }

    [Fact]
    public void Condition_without_values_is_invalid()
    {
        var state = Convert(Policy("a", "p", "ALLOW", null, When("source.ip")));
        Assert.Empty(Only(state).Rules);
        Assert.Contains(state.Warnings, w => w.Contains("neither values nor notValues"));
    }

    [Fact]
    public void Selector_policies_attach_to_matching_pods_only()
    {
        var state = Compute(Set([AmbientNamespace("a"), AmbientNamespace("b")],
            [Pod("a", "web", ("app", "web")), Pod("a", "db", ("app", "db")), Pod("b", "web", ("app", "web"))],
            policies:
            [
                Policy("a", "sel", selector: Labels(("app", "web"))),
                Policy("a", "ns"),
                Policy("istio-system", "root-sel", selector: Labels(("app", "web"))),
                Policy("istio-system", "global"),
            ]));
        Assert.Equal(["a/sel", "istio-system/root-sel"], state.Workload("a", "web").AuthorizationPolicies);
        Assert.Empty(state.Workload("a", "db").AuthorizationPolicies);
        Assert.Equal(["istio-system/root-sel"], state.Workload("b", "web").AuthorizationPolicies);
    }

    [Fact]
    public void Policies_are_sorted_by_key()
    {
        var state = Convert(Policy("b", "x"), Policy("a", "z"), Policy("a", "y"));
        Assert.Equal(["a/y", "a/z", "b/x"], state.Policies.Select(p => p.Key));
    }
}
