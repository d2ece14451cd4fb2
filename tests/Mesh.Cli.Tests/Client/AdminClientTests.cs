using System.Net;
using Mesh.Cli.Client;
using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Mesh.Cli.Tests.Client;

public sealed class AdminClientTests
{
    [Fact]
    public async Task Http_4xx_prints_the_servers_plain_text_message_and_exits_1()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app =>
            app.MapGet(AdminRoutes.ConfigStatus, () => Results.Text("config status is only served by control members", statusCode: 404)));

        var result = await Meshctl.RunAsync(server.HostPort, "config", "status");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("meshctl: config status is only served by control members (HTTP 404)\n", result.Err);
    }

    [Fact]
    public async Task Http_5xx_prints_a_problem_details_detail_and_exits_1()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app =>
            app.MapGet(AdminRoutes.RegionStats, () => Results.Problem("no shard region for type 'bogus'", statusCode: 500)));

        var result = await Meshctl.RunAsync(server.HostPort, "cluster-sharding", "region-stats", "-r", "bogus");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("meshctl: no shard region for type 'bogus' (HTTP 500)\n", result.Err);
    }

    [Fact]
    public async Task Http_error_with_a_command_result_body_prints_its_message()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app =>
            app.MapPost(AdminRoutes.Leave, () => Results.Json(new CommandResult(false, "address is required"), AdminJson.Options, statusCode: 400)));

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "leave", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("meshctl: address is required (HTTP 400)\n", result.Err);
    }

    [Fact]
    public async Task Unknown_route_with_an_empty_body_falls_back_to_the_status()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(_ => { });

        var result = await Meshctl.RunAsync(server.HostPort, "config", "status");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("meshctl: Not Found (HTTP 404)\n", result.Err);
    }

    [Fact]
    public async Task A_non_json_success_body_is_reported_without_a_stack_trace()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app => app.MapGet(AdminRoutes.Cluster, () => Results.Text("<html>hi</html>")));

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "show");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("meshctl: unexpected response (expected ClusterView): ", result.Err);
        Assert.DoesNotContain("   at ", result.Err);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_as_unreachable()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app =>
            app.MapGet(AdminRoutes.Cluster, (HttpContext context) => Task.Delay(Timeout.Infinite, context.RequestAborted)));
        var stderr = new StringWriter();

        var code = await MeshctlApp.RunAsync([server.HostPort, "cluster", "show"], new StringWriter(), stderr, _ => null,
            requestTimeout: TimeSpan.FromMilliseconds(300));

        Assert.Equal(2, code);
        Assert.Equal($"meshctl: cannot reach command endpoint at {server.HostPort} (timed out) — is a mesh member running there?\n", stderr.ToString());
    }

    [Theory]
    [InlineData("""{"ok":false,"message":"refused"}""", "refused")]
    [InlineData("""{"title":"Bad","detail":"details here"}""", "details here")]
    [InlineData("""{"title":"Only a title"}""", "Only a title")]
    [InlineData("line one\nline two\n", "line one line two")]
    [InlineData("{not json", "{not json")]
    [InlineData("   ", "Service Unavailable")]
    public void Server_message_prefers_the_servers_own_words(string body, string expected) =>
        Assert.Equal(expected, AdminClient.ServerMessage(body, HttpStatusCode.ServiceUnavailable, "Service Unavailable"));
}
