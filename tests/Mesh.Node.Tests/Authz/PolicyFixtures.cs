using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Node.Tests.Authz;

/// <summary>L4 policies as the control plane publishes them, for enforcement specs.</summary>
internal static class PolicyFixtures
{
    public const string Root = "istio-system";
    public static readonly string StrictKey = $"{Root}/{PeerAuthenticationPolicies.StaticStrictName}";

    private static Match With(ValueList<int>? ports = null, ValueList<StringMatch>? notPrincipals = null, ValueList<IpBlock>? sourceIps = null) =>
        Match.Empty with
        {
            DestinationPorts = ports ?? ValueList<int>.Empty,
            NotPrincipals = notPrincipals ?? ValueList<StringMatch>.Empty,
            SourceIps = sourceIps ?? ValueList<IpBlock>.Empty,
        };

    /// <summary>Namespace-wide DENY of connections to <paramref name="port"/>.</summary>
    public static Authorization DenyPort(string name, int port, string ns = "demo", bool dryRun = false) =>
        new(name, ns, PolicyScope.Namespace, PolicyAction.Deny,
            ValueList.Of(new Rule(ValueList.Of(new Clause(ValueList.Of(With(ports: ValueList.Of(port))))))), dryRun);

    /// <summary>Namespace-wide DENY of everything.</summary>
    public static Authorization DenyAll(string name, string ns = "demo") =>
        new(name, ns, PolicyScope.Namespace, PolicyAction.Deny, ValueList.Of(new Rule(ValueList<Clause>.Empty)));

    /// <summary>Namespace-wide ALLOW of connections from <paramref name="cidr"/>.</summary>
    public static Authorization AllowFrom(string name, string address, int length, string ns = "demo") =>
        new(name, ns, PolicyScope.Namespace, PolicyAction.Allow,
            ValueList.Of(new Rule(ValueList.Of(new Clause(ValueList.Of(With(sourceIps: ValueList.Of(new IpBlock(address, length)))))))));

    /// <summary>PeerAuthentication STRICT, as converted: DENY peers without a principal, attached to selected workloads.</summary>
    public static Authorization Strict() =>
        new(PeerAuthenticationPolicies.StaticStrictName, Root, PolicyScope.WorkloadSelector, PolicyAction.Deny,
            ValueList.Of(new Rule(ValueList.Of(new Clause(ValueList.Of(With(notPrincipals: ValueList.Of(StringMatch.Parse("*")))))))));

    /// <summary>The workload with STRICT attached (as the control plane lists selected policies).</summary>
    public static Workload Strict(this Workload workload) => workload with { AuthorizationPolicies = ValueList.Of(StrictKey) };
}
