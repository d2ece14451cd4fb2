using Mesh.Control.Ambient;
using Mesh.Control.Config.Crds;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class PeerAuthenticationTests
{
    private const string Static = "istio-system/" + PeerAuthenticationConverter.StaticStrictName;
    private static readonly StringMatch Presence = new(StringMatchKind.Presence, "");
    private static readonly Dictionary<string, string> Web = Labels(("app", "web"));

    private static MeshState State(params PeerAuthentication[] pas) =>
        Compute(Set([AmbientNamespace("a"), AmbientNamespace("b")], [Pod("a", "web", ("app", "web")), Pod("a", "db"), Pod("b", "web", ("app", "web"))],
            peerAuthentications: pas));

    private static Clause Plaintext(int? port = null) => new(ValueList.Of(Match.Empty with
    {
        NotPrincipals = ValueList.Of(Presence),
        DestinationPorts = port is { } p ? ValueList.Of(p) : ValueList<int>.Empty,
    }));

    private static Clause NotPort(int port) => new(ValueList.Of(Match.Empty with { NotDestinationPorts = ValueList.Of(port) }));

    [Fact]
    public void No_peer_authentication_means_no_policies()
    {
        var state = State();
        Assert.Empty(state.Policies);
        Assert.All(state.Workloads, w => Assert.Empty(w.AuthorizationPolicies));
    }

    [Fact]
    public void Static_strict_policy_denies_plaintext()
    {
        var policy = State(PeerAuth("istio-system", "default", "PERMISSIVE")).Policy("istio-system", PeerAuthenticationConverter.StaticStrictName);
        Assert.Equal(PolicyAction.Deny, policy.Action);
        Assert.Equal(PolicyScope.WorkloadSelector, policy.Scope);
        Assert.Equal(ValueList.Of(new Rule(ValueList.Of(Plaintext()))), policy.Rules);
    }

    [Fact]
    public void Mesh_strict_applies_to_every_workload()
    {
        var state = State(PeerAuth("istio-system", "default", "STRICT"));
        Assert.All(state.Workloads, w => Assert.Equal([Static], w.AuthorizationPolicies));
    }

    [Theory]
    [InlineData("PERMISSIVE")]
    [InlineData("DISABLE")]
    [InlineData("UNSET")]
    public void Non_strict_mesh_mode_attaches_nothing(string mode)
    {
        Assert.All(State(PeerAuth("istio-system", "default", mode)).Workloads, w => Assert.Empty(w.AuthorizationPolicies));
    }

    [Fact]
    public void Namespace_overrides_mesh_and_unset_inherits()
    {
        var state = State(PeerAuth("istio-system", "default", "STRICT"), PeerAuth("a", "ns", "PERMISSIVE"), PeerAuth("b", "ns", "UNSET"));
        Assert.Empty(state.Workload("a", "web").AuthorizationPolicies);
        Assert.Equal([Static], state.Workload("b", "web").AuthorizationPolicies);
    }

    [Fact]
    public void Namespace_strict_without_mesh_policy()
    {
        var state = State(PeerAuth("a", "ns", "STRICT"));
        Assert.Equal([Static], state.Workload("a", "db").AuthorizationPolicies);
        Assert.Empty(state.Workload("b", "web").AuthorizationPolicies);
    }

    [Fact]
    public void Workload_overrides_namespace()
    {
        var state = State(PeerAuth("a", "ns", "STRICT"), PeerAuth("a", "web", "PERMISSIVE", Web));
        Assert.Empty(state.Workload("a", "web").AuthorizationPolicies);
        Assert.Equal([Static], state.Workload("a", "db").AuthorizationPolicies);

        var strictWorkload = State(PeerAuth("a", "ns", "PERMISSIVE"), PeerAuth("a", "web", "STRICT", Web));
        Assert.Equal([Static], strictWorkload.Workload("a", "web").AuthorizationPolicies);
        Assert.Empty(strictWorkload.Workload("a", "db").AuthorizationPolicies);
    }

    [Fact]
    public void Strict_with_permissive_port_excludes_that_port()
    {
        var state = State(PeerAuth("a", "web", "STRICT", Web, new Dictionary<string, string> { ["8080"] = "PERMISSIVE" }));
        var policy = state.Policy("a", "converted_peer_authentication_web");
        Assert.Equal((PolicyAction.Deny, PolicyScope.WorkloadSelector), (policy.Action, policy.Scope));
        Assert.Equal(ValueList.Of(new Rule(ValueList.Of(Plaintext(), NotPort(8080)))), policy.Rules);
        Assert.Equal(["a/converted_peer_authentication_web"], state.Workload("a", "web").AuthorizationPolicies);
    }

    [Fact]
    public void Permissive_with_strict_port_denies_plaintext_on_that_port_only()
    {
        var state = State(PeerAuth("a", "web", "PERMISSIVE", Web, new Dictionary<string, string> { ["9000"] = "STRICT", ["9001"] = "STRICT" }));
        var policy = state.Policy("a", "converted_peer_authentication_web");
        Assert.Equal(ValueList.Of(new Rule(ValueList.Of(Plaintext(9000))), new Rule(ValueList.Of(Plaintext(9001)))), policy.Rules);
        Assert.Equal(["a/converted_peer_authentication_web"], state.Workload("a", "web").AuthorizationPolicies);
    }

    [Fact]
    public void Unset_workload_with_permissive_port_under_strict_namespace_merges_strictness()
    {
        var state = State(PeerAuth("a", "ns", "STRICT"), PeerAuth("a", "web", null, Web, new Dictionary<string, string> { ["8080"] = "DISABLE" }));
        Assert.Equal(ValueList.Of(new Rule(ValueList.Of(Plaintext(), NotPort(8080)))), state.Policy("a", "converted_peer_authentication_web").Rules);
        Assert.Equal(["a/converted_peer_authentication_web"], state.Workload("a", "web").AuthorizationPolicies);
    }

    [Fact]
    public void Port_overrides_equal_to_the_effective_mode_produce_no_converted_policy()
    {
        var state = State(PeerAuth("a", "web", "STRICT", Web, new Dictionary<string, string> { ["8080"] = "STRICT" }));
        Assert.DoesNotContain(state.Policies, p => p.Name.StartsWith(PeerAuthenticationConverter.ConvertedPrefix));
        Assert.Equal([Static], state.Workload("a", "web").AuthorizationPolicies);
    }

    [Fact]
    public void Oldest_policy_at_a_level_wins()
    {
        var older = PeerAuth("a", "old", "STRICT", created: new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var newer = PeerAuth("a", "new", "PERMISSIVE", created: new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal([Static], State(newer, older).Workload("a", "db").AuthorizationPolicies);
    }

    [Fact]
    public void Root_namespace_selector_policy_is_ignored_with_warning()
    {
        var state = State(PeerAuth("istio-system", "sel", "STRICT", Web));
        Assert.Empty(state.Workload("a", "web").AuthorizationPolicies);
        Assert.Contains(state.Warnings, w => w.Contains("istio-system/sel"));
    }

    [Fact]
    public void Authorization_policies_come_before_peer_authentication_keys()
    {
        var state = Compute(Set([AmbientNamespace("a")], [Pod("a", "web", ("app", "web"))],
            policies: [Policy("a", "z", selector: Web)], peerAuthentications: [PeerAuth("a", "ns", "STRICT")]));
        Assert.Equal(["a/z", Static], state.Workload("a", "web").AuthorizationPolicies);
    }
}
