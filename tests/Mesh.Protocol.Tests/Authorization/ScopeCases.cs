using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;
using static Mesh.Protocol.Tests.Authz.AuthzTable;

namespace Mesh.Protocol.Tests.Authz;

/// <summary>Dry-run, policy scopes (global / namespace / selector) and PeerAuthentication-derived DENYs.</summary>
public static class ScopeCases
{
    private const AuthorizationVerdict A = AuthorizationVerdict.Allow;
    private const AuthorizationVerdict D = AuthorizationVerdict.Deny;
    private static readonly Match FromClient = M with { Namespaces = Strings("client") };
    private static readonly Match FromProd = M with { Namespaces = Strings("prod") };
    private const string Converted = "app/" + PeerAuthenticationPolicies.ConvertedPrefix + "web";

    public static IEnumerable<AuthzCase> All() =>
    [
        // dry-run: reported (DryRun outcome), never enforced
        new("dry-run DENY matching does not deny", [Deny(FromClient).DryRun()], Mtls(), NoPolicies(dryRun: D)),
        new("dry-run DENY not matching", [Deny(FromProd).DryRun()], Mtls(), NoPolicies(dryRun: A)),
        new("dry-run ALLOW does not restrict", [Allow(FromProd).DryRun()], Mtls(), NoPolicies(dryRun: D)),
        new("dry-run ALLOW matching", [Allow(FromClient).DryRun()], Mtls(), NoPolicies(dryRun: A)),
        new("dry-run ALLOW would admit what enforced ALLOW refuses",
            [Named("app/enforced", PolicyAction.Allow, Rule(Clause(FromProd))), Named("app/shadow", PolicyAction.Allow, Rule(Clause(FromClient))).DryRun()],
            Mtls(), NotAllowed(dryRun: A)),
        new("dry-run ALLOW beside enforced DENY", [Deny(FromClient), Named("app/shadow", PolicyAction.Allow, Rule()).DryRun()], Mtls(), DeniedBy(dryRun: D)),
        new("dry-run DENY beside enforced ALLOW",
            [Named("app/allow", PolicyAction.Allow, Rule()), Named("app/shadow", PolicyAction.Deny, Rule(Clause(FromClient))).DryRun()],
            Mtls(), AllowedBy("app/allow", dryRun: D)),
        new("dry-run DENY beside enforced DENY", [Named("app/deny", PolicyAction.Deny, Rule()), Named("app/shadow", PolicyAction.Deny, Rule()).DryRun()], Mtls(), DeniedBy("app/deny", dryRun: D)),

        // scopes: namespace policies apply to their namespace, global ones everywhere, selector ones when listed
        new("namespace policy of another namespace", [Named("other/deny", PolicyAction.Deny, Rule())], Mtls(), NoPolicies()),
        new("namespace policy of the destination namespace", [Named("app/deny", PolicyAction.Deny, Rule())], Mtls(), DeniedBy("app/deny")),
        new("global policy applies everywhere", [Named("istio-system/deny", PolicyAction.Deny, Rule()).Global()], Mtls(), DeniedBy("istio-system/deny")),
        new("namespace-scoped policy in the root namespace is global", [Named("istio-system/allow", PolicyAction.Allow, Rule(Clause(FromProd)))], Mtls(), NotAllowed()),
        new("global ALLOW restricts every namespace", [Named("istio-system/allow", PolicyAction.Allow, Rule(Clause(FromClient))).Global()], Mtls("prod/x"), NotAllowed()),
        new("selector policy listed by the workload", [Named("app/sel", PolicyAction.Deny, Rule()).Selector()], Mtls(), DeniedBy("app/sel"), ["app/sel"]),
        new("selector policy not listed", [Named("app/sel", PolicyAction.Deny, Rule()).Selector()], Mtls(), NoPolicies()),
        new("listed policy missing from the state is skipped", [], Mtls(), NoPolicies(), ["app/gone"]),
        new("root-namespace selector policy listed", [Named("istio-system/sel", PolicyAction.Allow, Rule(Clause(FromProd))).Selector()], Mtls(), NotAllowed(), ["istio-system/sel"]),
        new("namespace ALLOW and selector ALLOW: either admits",
            [Named("app/ns", PolicyAction.Allow, Rule(Clause(FromProd))), Named("app/sel", PolicyAction.Allow, Rule(Clause(FromClient))).Selector()],
            Mtls(), AllowedBy("app/sel"), ["app/sel"]),

        // PeerAuthentication: STRICT arrives as DENY policies that match plaintext
        new("STRICT refuses plaintext", [StaticStrict], Plain(), Strict(StaticStrict.Key), [StaticStrict.Key]),
        new("STRICT admits mTLS", [StaticStrict], Mtls(), NoAllow(), [StaticStrict.Key]),
        new("STRICT not listed (PERMISSIVE) admits plaintext", [StaticStrict], Plain(), NoPolicies()),
        new("STRICT wins attribution over a user DENY", [StaticStrict, Deny(M with { NotPrincipals = Principals("*") })], Plain(), Strict(StaticStrict.Key), [StaticStrict.Key]),
        new("STRICT beats ALLOW everything", [StaticStrict, Named(Key, PolicyAction.Allow, Rule())], Plain(), Strict(StaticStrict.Key), [StaticStrict.Key]),
        new("STRICT plus ALLOW not matching mTLS", [StaticStrict, Allow(FromProd)], Mtls(), NotAllowed(), [StaticStrict.Key]),
        new("STRICT with PERMISSIVE port: plaintext on that port",
            [Named(Converted, PolicyAction.Deny, Rule(PlaintextClause(), Clause(M with { NotDestinationPorts = Ports(8080) }))).Selector()],
            Plain(port: 8080), NoAllow(), [Converted]),
        new("STRICT with PERMISSIVE port: plaintext elsewhere",
            [Named(Converted, PolicyAction.Deny, Rule(PlaintextClause(), Clause(M with { NotDestinationPorts = Ports(8080) }))).Selector()],
            Plain(port: 9090), Strict(Converted), [Converted]),
        new("PERMISSIVE with STRICT port: plaintext on that port",
            [Named(Converted, PolicyAction.Deny, Rule(PlaintextClause(9090))).Selector()], Plain(port: 9090), Strict(Converted), [Converted]),
        new("PERMISSIVE with STRICT port: plaintext elsewhere",
            [Named(Converted, PolicyAction.Deny, Rule(PlaintextClause(9090))).Selector()], Plain(port: 8080), NoAllow(), [Converted]),
        new("PERMISSIVE with STRICT port: mTLS on that port",
            [Named(Converted, PolicyAction.Deny, Rule(PlaintextClause(9090))).Selector()], Mtls(port: 9090), NoAllow(), [Converted]),
    ];
}
