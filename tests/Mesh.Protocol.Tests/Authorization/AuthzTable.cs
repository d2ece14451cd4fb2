using System.Net;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;
using Policy = Mesh.Protocol.Model.Authorization;

namespace Mesh.Protocol.Tests.Authz;

/// <summary>A connection in a table row: identity "ns/sa" (trust domain cluster.local) or a full SPIFFE id, null = plaintext.</summary>
public sealed record Conn(string? Identity, string SourceIp = AuthzTable.ClientIp, string DestinationIp = AuthzTable.WebIp, int Port = 8080)
{
    public AuthorizationRequest ToRequest() => new(
        Identity is null ? null : Identity.StartsWith(SpiffeId.Scheme, StringComparison.Ordinal)
            ? SpiffeId.Parse(Identity)
            : SpiffeId.Parse($"{SpiffeId.Scheme}cluster.local/ns/{Identity.Replace("/", "/sa/")}"),
        IPAddress.Parse(SourceIp), IPAddress.Parse(DestinationIp), Port);
}

/// <summary>The expected decision; <c>DryRun</c> null = no dry-run policy in scope.</summary>
public sealed record Expect(AuthorizationVerdict Verdict, DecisionReason Reason, string? Policy = null, int Rule = -1, AuthorizationVerdict? DryRun = null);

/// <summary>One row: the policies in the index, the keys the destination workload lists, the connection, the expected decision.</summary>
public sealed record AuthzCase(string Name, Policy[] Policies, Conn Conn, Expect Expect, string[]? Selected = null);

/// <summary>Builders that keep the decision table readable. The destination is app/web at 10.0.0.2.</summary>
public static class AuthzTable
{
    public const string ClientIp = "10.1.0.5";
    public const string WebIp = "10.0.0.2";
    public const string Key = "app/p";

    public static Workload Web(params string[] selected) => Samples.TypicalWorkload() with
    {
        Uid = "Kubernetes//Pod/app/web",
        Name = "web",
        Namespace = "app",
        ServiceAccount = "web",
        Addresses = ValueList.Of(WebIp),
        AuthorizationPolicies = selected.ToValueList(),
    };

    // Connections
    public static Conn Mtls(string identity = "client/curl", string sourceIp = ClientIp, int port = 8080, string destinationIp = WebIp) =>
        new(identity, sourceIp, destinationIp, port);
    public static Conn Plain(string sourceIp = ClientIp, int port = 8080, string destinationIp = WebIp) => new(null, sourceIp, destinationIp, port);

    // Expectations
    public static Expect AllowedBy(string policy = Key, int rule = 0, AuthorizationVerdict? dryRun = null) =>
        new(AuthorizationVerdict.Allow, DecisionReason.AllowPolicyMatched, policy, rule, dryRun);
    public static Expect DeniedBy(string policy = Key, int rule = 0, AuthorizationVerdict? dryRun = null) =>
        new(AuthorizationVerdict.Deny, DecisionReason.DenyPolicyMatched, policy, rule, dryRun);
    public static Expect NotAllowed(AuthorizationVerdict? dryRun = null) => new(AuthorizationVerdict.Deny, DecisionReason.NoAllowPolicyMatched, DryRun: dryRun);
    public static Expect NoAllow(AuthorizationVerdict? dryRun = null) => new(AuthorizationVerdict.Allow, DecisionReason.NoAllowPolicies, DryRun: dryRun);
    public static Expect NoPolicies(AuthorizationVerdict? dryRun = null) => new(AuthorizationVerdict.Allow, DecisionReason.NoPolicies, DryRun: dryRun);
    public static Expect Strict(string policy, int rule = 0) => new(AuthorizationVerdict.Deny, DecisionReason.PeerAuthenticationStrict, policy, rule);

    // Policies: "ns/name" keys, NAMESPACE scope unless changed with Global()/Selector()/DryRun().
    public static Policy Allow(params Match[] alternatives) => Named(Key, PolicyAction.Allow, OneRule(alternatives));
    public static Policy Deny(params Match[] alternatives) => Named(Key, PolicyAction.Deny, OneRule(alternatives));
    public static Policy Named(string key, PolicyAction action, params Rule[] rules)
    {
        var slash = key.IndexOf('/');
        return new Policy(key[(slash + 1)..], key[..slash], PolicyScope.Namespace, action, rules.ToValueList());
    }
    public static Policy Global(this Policy p) => p with { Scope = PolicyScope.Global };
    public static Policy Selector(this Policy p) => p with { Scope = PolicyScope.WorkloadSelector };
    public static Policy DryRun(this Policy p) => p with { DryRun = true };

    public static Rule[] OneRule(params Match[] alternatives) => [Rule(Clause(alternatives))];
    public static Rule Rule(params Clause[] clauses) => new(clauses.ToValueList());
    public static Clause Clause(params Match[] alternatives) => new(alternatives.ToValueList());

    // Match fields, written as in YAML; principals get the scheme the control plane adds to exact/prefix patterns.
    public static Match M => Match.Empty;
    public static ValueList<StringMatch> Principals(params string[] patterns) => patterns.Select(p =>
    {
        var m = StringMatch.Parse(p);
        return m.Kind is StringMatchKind.Exact or StringMatchKind.Prefix ? m with { Value = SpiffeId.Scheme + m.Value } : m;
    }).ToValueList();
    public static ValueList<StringMatch> Strings(params string[] patterns) => patterns.Select(StringMatch.Parse).ToValueList();
    public static ValueList<IpBlock> Ips(params string[] cidrs) => cidrs.Select(c =>
    {
        var parts = c.Split('/');
        var length = parts.Length == 2 ? int.Parse(parts[1]) : (parts[0].Contains(':') ? 128 : 32);
        return new IpBlock(parts[0], length);
    }).ToValueList();
    public static ValueList<int> Ports(params int[] ports) => ports.ToValueList();
    public static ValueList<ServiceAccountMatch> Accounts(params string[] nsSa) =>
        nsSa.Select(s => new ServiceAccountMatch(s.Split('/')[0], s.Split('/')[1])).ToValueList();

    /// <summary>PeerAuthentication-derived policies in the control plane's shape.</summary>
    public static readonly StringMatch Presence = new(StringMatchKind.Presence, "");
    public static Clause PlaintextClause(int? port = null) => Clause(M with
    {
        NotPrincipals = ValueList.Of(Presence),
        DestinationPorts = port is { } p ? Ports(p) : ValueList<int>.Empty,
    });
    public static Policy StaticStrict => Named("istio-system/" + PeerAuthenticationPolicies.StaticStrictName, PolicyAction.Deny,
        Rule(PlaintextClause())).Selector();
}
