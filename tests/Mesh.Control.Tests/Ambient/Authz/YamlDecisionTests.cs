using Mesh.Protocol.Authz;
using static Mesh.Protocol.Authz.AuthorizationVerdict;
using static Mesh.Protocol.Authz.DecisionReason;

namespace Mesh.Control.Tests.Ambient.Authz;

/// <summary>YAML row → expected decision for one connection; see <see cref="YamlAuthz"/> for the base mesh.</summary>
public sealed record YamlCase(string Name, string Yaml, string From, string To, int Port, bool Mtls,
    AuthorizationVerdict Verdict, DecisionReason Reason, string? Policy = null, int Rule = -1, AuthorizationVerdict? DryRun = null);

public class YamlDecisionTests
{
    private static string Ap(string name, string spec, string ns = "app", string annotations = "") => $$"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: {{name}}, namespace: {{ns}}{{annotations}}}
        spec: {{spec}}
        ---
        """ + "\n";

    private static string Pa(string name, string spec, string ns = "app") => $$"""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec: {{spec}}
        ---
        """ + "\n";

    private const string Curl = "client/curl", Db = "app/db", Web = "app/web", Old = "legacy/old";
    private const string StaticStrict = "istio-system/istio_converted_static_strict";

    private static readonly YamlCase[] Rows =
    [
        new("no policies", "", Curl, Web, 8080, true, Allow, NoPolicies),
        new("principal without scheme matches the peer", Ap("p", "{rules: [{from: [{source: {principals: [cluster.local/ns/client/sa/curl]}}]}]}"), Curl, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("principal excludes other peers", Ap("p", "{rules: [{from: [{source: {principals: [cluster.local/ns/client/sa/curl]}}]}]}"), Db, Web, 8080, true, Deny, NoAllowPolicyMatched),
        new("principal prefix", Ap("p", "{rules: [{from: [{source: {principals: [cluster.local/ns/client/*]}}]}]}"), Curl, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("principal suffix", Ap("p", "{rules: [{from: [{source: {principals: ['*/sa/curl']}}]}]}"), Curl, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("principal refuses plaintext", Ap("p", "{rules: [{from: [{source: {principals: ['*']}}]}]}"), Curl, Web, 8080, false, Deny, NoAllowPolicyMatched),
        new("notPrincipals admits plaintext", Ap("p", "{rules: [{from: [{source: {notPrincipals: [cluster.local/ns/client/sa/curl]}}]}]}"), Old, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("serviceAccounts short form is the policy namespace", Ap("p", "{rules: [{from: [{source: {serviceAccounts: [db]}}]}]}"), Db, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("serviceAccounts ns/sa", Ap("p", "{rules: [{from: [{source: {serviceAccounts: [client/curl]}}]}]}"), Db, Web, 8080, true, Deny, NoAllowPolicyMatched),
        new("ipBlocks of the source pod", Ap("p", "{rules: [{from: [{source: {ipBlocks: [10.244.0.0/16]}}]}]}"), Old, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("ALLOW with only HTTP fields allows nothing", Ap("p", "{rules: [{to: [{operation: {methods: [GET]}}]}]}"), Curl, Web, 8080, true, Deny, NoAllowPolicyMatched),
        new("ALLOW HTTP rule dropped, L4 rule kept (index shifts)", Ap("p", "{rules: [{to: [{operation: {paths: [/x]}}]}, {from: [{source: {namespaces: [client]}}]}]}"), Curl, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("DENY keeps its L4 part", Ap("p", "{action: DENY, rules: [{to: [{operation: {methods: [POST], ports: ['9090']}}]}]}"), Curl, Web, 9090, true, Deny, DenyPolicyMatched, "app/p", 0),
        new("DENY L4 part spares other ports", Ap("p", "{action: DENY, rules: [{to: [{operation: {methods: [POST], ports: ['9090']}}]}]}"), Curl, Web, 8080, true, Allow, NoAllowPolicies),
        new("DENY with only HTTP fields is dropped", Ap("p", "{action: DENY, rules: [{to: [{operation: {paths: [/admin]}}]}]}"), Curl, Web, 8080, true, Allow, NoAllowPolicies),
        new("when source.namespace", Ap("p", "{rules: [{when: [{key: source.namespace, values: [client]}]}]}"), Curl, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("when source.principal notValues", Ap("p", "{rules: [{when: [{key: source.principal, notValues: [cluster.local/ns/client/sa/curl]}]}]}"), Curl, Web, 8080, true, Deny, NoAllowPolicyMatched),
        new("when destination.port", Ap("p", "{rules: [{when: [{key: destination.port, values: ['8080']}]}]}"), Curl, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("when source.ip notValues", Ap("p", "{action: DENY, rules: [{when: [{key: source.ip, notValues: [10.0.0.0/8]}]}]}"), Curl, Web, 8080, true, Allow, NoAllowPolicies),
        new("when destination.ip", Ap("p", "{action: DENY, rules: [{when: [{key: destination.ip, values: [10.244.0.0/16]}]}]}"), Curl, Web, 8080, true, Deny, DenyPolicyMatched, "app/p", 0),
        new("when on an HTTP attribute drops the ALLOW rule", Ap("p", "{rules: [{when: [{key: 'request.headers[x-user]', values: [a]}]}]}"), Curl, Web, 8080, true, Deny, NoAllowPolicyMatched),
        new("selector applies to the selected pod", Ap("p", "{selector: {matchLabels: {app: web}}, action: DENY, rules: [{}]}"), Curl, Web, 8080, true, Deny, DenyPolicyMatched, "app/p", 0),
        new("selector spares other pods", Ap("p", "{selector: {matchLabels: {app: web}}, action: DENY, rules: [{}]}"), Curl, Db, 8080, true, Allow, NoPolicies),
        new("root namespace policy is global", Ap("p", "{rules: [{from: [{source: {namespaces: [client]}}]}]}", ns: "istio-system"), Db, Web, 8080, true, Deny, NoAllowPolicyMatched),
        new("other namespace policy does not apply", Ap("p", "{action: DENY, rules: [{}]}", ns: "client"), Curl, Web, 8080, true, Allow, NoPolicies),
        new("spec {} allows nothing", Ap("p", "{}"), Curl, Web, 8080, true, Deny, NoAllowPolicyMatched),
        new("rules [{}] allows everything", Ap("p", "{rules: [{}]}"), Old, Web, 8080, true, Allow, AllowPolicyMatched, "app/p", 0),
        new("dry-run DENY is reported, not enforced", Ap("p", "{action: DENY, rules: [{}]}", annotations: ", annotations: {istio.io/dry-run: 'true'}"), Curl, Web, 8080, true, Allow, NoPolicies, DryRun: Deny),
        new("CUSTOM is not enforced at L4", Ap("p", "{action: CUSTOM, provider: {name: ext}, rules: [{}]}"), Curl, Web, 8080, true, Allow, NoPolicies),
        new("mesh STRICT refuses plaintext", Pa("default", "{mtls: {mode: STRICT}}", "istio-system"), Old, Web, 8080, true, Deny, PeerAuthenticationStrict, StaticStrict, 0),
        new("mesh STRICT admits mTLS", Pa("default", "{mtls: {mode: STRICT}}", "istio-system"), Curl, Web, 8080, true, Allow, NoAllowPolicies),
        new("namespace PERMISSIVE overrides mesh STRICT", Pa("default", "{mtls: {mode: STRICT}}", "istio-system") + Pa("ns", "{mtls: {mode: PERMISSIVE}}"), Old, Web, 8080, true, Allow, NoPolicies),
        new("namespace UNSET inherits mesh STRICT", Pa("default", "{mtls: {mode: STRICT}}", "istio-system") + Pa("ns", "{}"), Curl, Web, 8080, false, Deny, PeerAuthenticationStrict, StaticStrict, 0),
        new("workload STRICT overrides namespace PERMISSIVE", Pa("ns", "{mtls: {mode: PERMISSIVE}}") + Pa("web", "{selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}}"), Old, Web, 8080, true, Deny, PeerAuthenticationStrict, StaticStrict, 0),
        new("workload STRICT spares unselected pods", Pa("ns", "{mtls: {mode: PERMISSIVE}}") + Pa("web", "{selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}}"), Old, Db, 8080, true, Allow, NoPolicies),
        new("STRICT with a PERMISSIVE port admits plaintext there", Pa("web", "{selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}, portLevelMtls: {'8080': {mode: PERMISSIVE}}}"), Old, Web, 8080, true, Allow, NoAllowPolicies),
        new("STRICT with a PERMISSIVE port refuses plaintext elsewhere", Pa("web", "{selector: {matchLabels: {app: web}}, mtls: {mode: STRICT}, portLevelMtls: {'8080': {mode: PERMISSIVE}}}"), Old, Web, 9090, true, Deny, PeerAuthenticationStrict, "app/converted_peer_authentication_web", 0),
        new("PERMISSIVE with a STRICT port refuses plaintext there", Pa("web", "{selector: {matchLabels: {app: web}}, mtls: {mode: PERMISSIVE}, portLevelMtls: {'9090': {mode: STRICT}}}"), Old, Web, 9090, true, Deny, PeerAuthenticationStrict, "app/converted_peer_authentication_web", 0),
        new("PERMISSIVE with a STRICT port admits plaintext elsewhere", Pa("web", "{selector: {matchLabels: {app: web}}, mtls: {mode: PERMISSIVE}, portLevelMtls: {'9090': {mode: STRICT}}}"), Old, Web, 8080, true, Allow, NoAllowPolicies),
        new("STRICT beats an ALLOW of everything", Pa("default", "{mtls: {mode: STRICT}}", "istio-system") + Ap("p", "{rules: [{}]}"), Old, Web, 8080, true, Deny, PeerAuthenticationStrict, StaticStrict, 0),
    ];

    private static readonly Dictionary<string, YamlCase> ByName = Rows.ToDictionary(r => r.Name);
    public static TheoryData<string> Names => new(ByName.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Manifest_to_decision(string name)
    {
        var row = ByName[name];
        var state = YamlAuthz.State(row.Yaml);
        var decision = YamlAuthz.Check(state, row.From, row.To, row.Port, row.Mtls);

        Assert.Equal((row.Verdict, row.Reason), (decision.Verdict, decision.Reason));
        Assert.Equal(row.Policy, decision.PolicyKey);
        Assert.Equal(row.Rule, decision.RuleIndex);
        Assert.Equal(row.DryRun, decision.DryRun?.Verdict);
    }
}
