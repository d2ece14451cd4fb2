using Mesh.Protocol.Model;
using static Mesh.Protocol.Tests.Authz.AuthzTable;

namespace Mesh.Protocol.Tests.Authz;

/// <summary>AND/OR structure, <c>spec: {}</c> vs <c>rules: [{}]</c>, and DENY-before-ALLOW ordering.</summary>
public static class StructureCases
{
    private static readonly Match FromClient = M with { Namespaces = Strings("client") };
    private static readonly Match FromProd = M with { Namespaces = Strings("prod") };
    private static readonly Match Port8080 = M with { DestinationPorts = Ports(8080) };
    private static readonly Match Port9090 = M with { DestinationPorts = Ports(9090) };

    public static IEnumerable<AuthzCase> All() =>
    [
        // fields of one alternative AND; alternatives of a clause OR; clauses of a rule AND; rules OR
        new("fields AND: both hold", [Allow(FromClient with { DestinationPorts = Ports(8080) })], Mtls(), AllowedBy()),
        new("fields AND: port fails", [Allow(FromClient with { DestinationPorts = Ports(9090) })], Mtls(), NotAllowed()),
        new("fields AND: namespace fails", [Allow(FromProd with { DestinationPorts = Ports(8080) })], Mtls(), NotAllowed()),
        new("alternatives OR: second holds", [Allow(FromProd, FromClient)], Mtls(), AllowedBy()),
        new("alternatives OR: none holds", [Allow(FromProd, Port9090)], Mtls(), NotAllowed()),
        new("clauses AND: both hold", [Named(Key, PolicyAction.Allow, Rule(Clause(FromClient), Clause(Port8080)))], Mtls(), AllowedBy()),
        new("clauses AND: second fails", [Named(Key, PolicyAction.Allow, Rule(Clause(FromClient), Clause(Port9090)))], Mtls(), NotAllowed()),
        new("rules OR: second rule decides", [Named(Key, PolicyAction.Allow, Rule(Clause(FromProd)), Rule(Clause(Port8080)))], Mtls(), AllowedBy(rule: 1)),
        new("rules OR: first matching rule reported", [Named(Key, PolicyAction.Allow, Rule(Clause(Port8080)), Rule(Clause(FromClient)))], Mtls(), AllowedBy(rule: 0)),
        new("positive and negative of one field", [Allow(M with { Principals = Principals("cluster.local/ns/client/*"), NotPrincipals = Principals("*/sa/curl") })], Mtls(), NotAllowed()),
        new("positive and negative of one field: other account", [Allow(M with { Principals = Principals("cluster.local/ns/client/*"), NotPrincipals = Principals("*/sa/curl") })], Mtls("client/web"), AllowedBy()),
        new("empty alternative never matches", [Allow(M)], Mtls(), NotAllowed()),
        new("empty alternative beside a matching one", [Allow(M, FromClient)], Mtls(), AllowedBy()),
        new("clause without alternatives holds", [Named(Key, PolicyAction.Allow, Rule(Clause(), Clause(FromClient)))], Mtls(), AllowedBy()),

        // spec: {} (no rules) matches nothing; rules: [{}] (a rule without clauses) matches everything
        new("ALLOW spec {} allows nothing", [Named(Key, PolicyAction.Allow)], Mtls(), NotAllowed()),
        new("ALLOW spec {} refuses plaintext", [Named(Key, PolicyAction.Allow)], Plain(), NotAllowed()),
        new("ALLOW rules [{}] allows mTLS", [Named(Key, PolicyAction.Allow, Rule())], Mtls(), AllowedBy()),
        new("ALLOW rules [{}] allows plaintext", [Named(Key, PolicyAction.Allow, Rule())], Plain(), AllowedBy()),
        new("DENY spec {} denies nothing", [Named(Key, PolicyAction.Deny)], Mtls(), NoAllow()),
        new("DENY rules [{}] denies everything", [Named(Key, PolicyAction.Deny, Rule())], Mtls(), DeniedBy()),
        new("ALLOW spec {} beside a matching ALLOW", [Named("app/a-nothing", PolicyAction.Allow), Named("app/b-client", PolicyAction.Allow, Rule(Clause(FromClient)))], Mtls(), AllowedBy("app/b-client")),

        // ordering: any DENY match wins; then no ALLOW → allow; any ALLOW match → allow; else deny
        new("no policies allow", [], Mtls(), NoPolicies()),
        new("no policies allow plaintext", [], Plain(), NoPolicies()),
        new("DENY beats matching ALLOW", [Named("app/allow", PolicyAction.Allow, Rule()), Named("app/deny", PolicyAction.Deny, Rule(Clause(FromClient)))], Mtls(), DeniedBy("app/deny")),
        new("DENY not matching, ALLOW matching", [Named("app/allow", PolicyAction.Allow, Rule(Clause(FromClient))), Named("app/deny", PolicyAction.Deny, Rule(Clause(FromProd)))], Mtls(), AllowedBy("app/allow")),
        new("DENY not matching, no ALLOW", [Deny(FromProd)], Mtls(), NoAllow()),
        new("DENY matching, no ALLOW", [Deny(FromClient)], Mtls(), DeniedBy()),
        new("second DENY decides", [Named("app/d1", PolicyAction.Deny, Rule(Clause(FromProd))), Named("app/d2", PolicyAction.Deny, Rule(Clause(Port8080)))], Mtls(), DeniedBy("app/d2")),
        new("second ALLOW decides", [Named("app/a1", PolicyAction.Allow, Rule(Clause(FromProd))), Named("app/a2", PolicyAction.Allow, Rule(Clause(Port8080)))], Mtls(), AllowedBy("app/a2")),
        new("unrelated DENY plus ALLOW-nothing", [Named("app/a", PolicyAction.Allow), Named("app/d", PolicyAction.Deny, Rule(Clause(FromProd)))], Mtls(), NotAllowed()),
        new("user DENY of plaintext", [Deny(M with { NotPrincipals = Principals("*") })], Plain(), DeniedBy()),
        new("user DENY of plaintext lets mTLS", [Deny(M with { NotPrincipals = Principals("*") })], Mtls(), NoAllow()),
        new("DENY one port, other port passes", [Deny(Port9090)], Mtls(port: 9090), DeniedBy()),
        new("DENY one source range", [Deny(M with { SourceIps = Ips("10.1.0.0/16") }), Named("app/q", PolicyAction.Allow, Rule())], Plain(), DeniedBy()),
    ];
}
