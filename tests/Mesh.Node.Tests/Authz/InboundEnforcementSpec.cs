using System.Diagnostics;
using System.Net;
using Mesh.Node.Authz;
using Mesh.Node.State;
using Mesh.Node.Tests.Proxy.Socks5;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;
using Authorization = Mesh.Protocol.Model.Authorization;
using static Mesh.Node.Tests.Authz.PolicyFixtures;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Authz;

/// <summary>Admission, dry-run, STRICT and live re-checks of <see cref="InboundEnforcement"/>, without sockets.</summary>
public sealed class InboundEnforcementSpec : IDisposable
{
    private static readonly SpiffeId Client = new("cluster.local", "demo", "client");
    private static readonly Workload Server = Pod("server", "10.0.0.2");
    private readonly NodeViewStore _store = new("node-a");
    private readonly ListLogger _log = new();
    private readonly InboundEnforcement _enforcement;
    private long _version;

    public InboundEnforcementSpec()
    {
        _enforcement = new InboundEnforcement(_store, Root, new ListLoggerFactory(_log));
        Publish([Server]);
    }

    private void Publish(Workload[] workloads, params Authorization[] policies) =>
        _store.Apply(new NodeSlice("node-a", workloads.ToValueList(), ValueList<Service>.Empty, policies.ToValueList()), ++_version);

    private static AuthorizationRequest To(int port, SpiffeId? peer = null) =>
        new(peer, IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), port);

    private InboundConnection? Admit(AuthorizationRequest request, Workload? destination = null) =>
        _enforcement.Admit("demo/server", request, destination ?? Server, out _);

    [Fact]
    public void A_deny_policy_refuses_and_the_log_names_the_policy_and_rule()
    {
        Publish([Server], DenyPort("deny-8080", 8080));
        Assert.Null(_enforcement.Admit("demo/server", To(8080, Client), Server, out var decision));
        Assert.Equal(DecisionReason.DenyPolicyMatched, decision.Reason);
        Assert.Equal("denied by demo/deny-8080 rule 0", decision.ToString());
        var line = Assert.Single(_log.Lines, l => l.StartsWith("denied inbound connection", StringComparison.Ordinal));
        Assert.Contains("policy=demo/deny-8080 rule=0", line);
        Assert.Equal(0, _enforcement.Connections.Count);

        using var other = Admit(To(9090, Client));
        Assert.NotNull(other);
        Assert.Equal(1, _enforcement.Connections.Count);
    }

    [Fact]
    public void A_dry_run_deny_is_logged_but_allows()
    {
        Publish([Server], DenyPort("audit-8080", 8080, dryRun: true));
        using var connection = _enforcement.Admit("demo/server", To(8080, Client), Server, out var decision);
        Assert.NotNull(connection);
        Assert.True(decision.IsAllowed);
        Assert.True(decision.DryRunAffected);
        Assert.Contains(_log.Lines, l => l.StartsWith("dry-run: would deny", StringComparison.Ordinal) && l.Contains("policy=demo/audit-8080 rule=0"));
    }

    [Fact]
    public void Strict_peer_authentication_refuses_plaintext_and_admits_mutual_tls()
    {
        var strict = Server.Strict();
        Publish([strict], Strict());
        Assert.Null(_enforcement.Admit("demo/server", To(8080), strict, out var plaintext));
        Assert.Equal(DecisionReason.PeerAuthenticationStrict, plaintext.Reason);
        using var mtls = Admit(To(8080, Client), strict);
        Assert.NotNull(mtls);
    }

    [Fact]
    public void Permissive_admits_plaintext()
    {
        Publish([Server], Strict()); // published, but this workload does not select it
        using var plaintext = Admit(To(8080));
        Assert.NotNull(plaintext);
    }

    [Fact]
    public void The_index_is_compiled_once_per_view()
    {
        var first = _enforcement.Authorizer.Current;
        Assert.Same(first, _enforcement.Authorizer.Current);
        Assert.Same(first.ScopeFor(Server), first.ScopeFor(Server));
        Publish([Server], DenyAll("deny-all"));
        Assert.NotSame(first, _enforcement.Authorizer.Current);
        Assert.Equal(1, _enforcement.Authorizer.Current.Index.Count);
    }

    [Fact]
    public async Task A_state_change_closes_exactly_the_connections_it_denies()
    {
        using var denied = Admit(To(8080, Client))!;
        using var kept = Admit(To(9090, Client))!;
        var passed = new TaskCompletionSource<PolicyReevaluator.PassResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _enforcement.Reevaluator.PassCompleted += r => { if (r.Closed > 0) passed.TrySetResult(r); };

        var published = Stopwatch.StartNew();
        Publish([Server], DenyPort("deny-8080", 8080));
        var pass = await passed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(Timeout.Infinite, denied.Cut).ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(1));
        Assert.True(published.Elapsed < TimeSpan.FromSeconds(1), $"closed after {published.Elapsed}");

        Assert.Equal((2, 1), (pass.Checked, pass.Closed));
        Assert.Equal("denied by demo/deny-8080 rule 0", denied.ClosedBy);
        Assert.False(kept.Cut.IsCancellationRequested);
        Assert.Null(kept.ClosedBy);
        Assert.Equal(1, _enforcement.Reevaluator.Closed);
        Assert.Contains(_log.Lines, l => l.StartsWith("policy re-check closed connection pod=demo/server", StringComparison.Ordinal)
            && l.Contains("dst=10.0.0.2:8080") && l.Contains("policy=demo/deny-8080 rule=0"));
    }

    [Fact]
    public async Task A_workload_that_starts_selecting_a_policy_is_re_checked_with_its_new_list()
    {
        using var connection = Admit(To(8080))!; // plaintext, PERMISSIVE
        Publish([Server.Strict()], Strict());
        await Task.Delay(Timeout.Infinite, connection.Cut).ContinueWith(_ => { }).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("PeerAuthentication STRICT", connection.ClosedBy);
    }

    [Fact]
    public async Task A_dry_run_change_only_logs()
    {
        using var connection = Admit(To(8080, Client))!;
        var passed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _enforcement.Reevaluator.PassCompleted += _ => passed.TrySetResult();
        Publish([Server], DenyPort("audit-8080", 8080, dryRun: true));
        await passed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(connection.Cut.IsCancellationRequested);
        Assert.Contains(_log.Lines, l => l.StartsWith("dry-run: would close connection", StringComparison.Ordinal) && l.Contains("policy=demo/audit-8080"));
    }

    public void Dispose() => _enforcement.Dispose();
}
