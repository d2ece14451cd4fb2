using Mesh.Cli.Commands.Authz;
using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Tests.Commands.Authz;

/// <summary>Against a command endpoint serving <see cref="AdminRoutes.ConfigState"/> (the state computed from <see cref="AuthzManifests"/>).</summary>
public sealed class AuthzCheckOnlineTests(AuthzManifests manifests) : IClassFixture<AuthzManifests>
{
    private ConfigStateView State => StateLoader.Offline(manifests.Path, "istio-system", TextWriter.Null);

    [Fact]
    public async Task Fetches_the_state_from_the_endpoint_given_last()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.ConfigState, State);

        var result = await Meshctl.RunAsync("x", "authz", "check", "--from", "client/curl", "--to", "web.app:80", server.HostPort);

        Assert.True(result.ExitCode == 0, result.Err);
        Assert.Contains($"State:        control member {server.HostPort}", result.Out);
        Assert.Contains("Decision:     ALLOW: allowed by app/web-allow rule 0", result.Out);
        Assert.Equal([$"GET {AdminRoutes.ConfigState}"], server.Requests);
    }

    [Fact]
    public async Task Endpoint_before_the_verb_works_too()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.ConfigState, State);

        var result = await Meshctl.RunAsync(server.HostPort, "x", "authz", "check", "--from", "legacy/old", "--to", "app/web:8080");

        Assert.True(result.ExitCode == 0, result.Err);
        Assert.Contains("Decision:     DENY: denied: PeerAuthentication STRICT", result.Out);
    }

    [Fact]
    public async Task Two_different_endpoints_are_refused()
    {
        var result = await Meshctl.RunAsync("127.0.0.1:1", "x", "authz", "check", "--from", "a/b", "--to", "c/d:1", "127.0.0.1:2");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("endpoint given twice (127.0.0.1:1 and 127.0.0.1:2)", result.Err);
    }

    [Fact]
    public async Task A_member_without_the_state_route_gets_a_clear_error()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(_ => { });

        var result = await Meshctl.RunAsync("x", "authz", "check", "--from", "client/curl", "--to", "app/web:8080", server.HostPort);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{server.HostPort} serves no mesh state (is it a control member?)", result.Err);
    }

    [Fact]
    public async Task Unreachable_endpoint_exits_2()
    {
        var result = await Meshctl.RunAsync("x", "authz", "check", "--from", "client/curl", "--to", "app/web:8080", $"127.0.0.1:{Meshctl.FreePort()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot reach command endpoint", result.Err);
    }
}
