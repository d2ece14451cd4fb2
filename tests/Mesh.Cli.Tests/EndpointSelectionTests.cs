using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Tests;

/// <summary>Where meshctl sends requests: positional HOST:PORT, --endpoint, $MESHCTL_ENDPOINT, default.</summary>
public sealed class EndpointSelectionTests
{
    private static Task<FakeCommandEndpoint> ServingAsync() =>
        FakeCommandEndpoint.ServingAsync(AdminRoutes.Status, new MemberStatusView("akka.tcp://mesh@10.0.0.1:4053", "Up", ["control"], null, 1, 0));

    [Fact]
    public async Task Positional_endpoint_before_the_verb_like_pbm()
    {
        await using var server = await ServingAsync();

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "status");

        Assert.Equal(0, result.ExitCode);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("--endpoint", "before")]
    [InlineData("-e", "after")]
    public async Task Endpoint_option_anywhere(string option, string where)
    {
        await using var server = await ServingAsync();
        string[] args = where == "before"
            ? [option, server.HostPort, "cluster", "status"]
            : ["cluster", "status", option, server.HostPort];

        var result = await Meshctl.RunAsync(args, environment: null);

        Assert.Equal(0, result.ExitCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Environment_variable_when_no_endpoint_is_given()
    {
        await using var server = await ServingAsync();

        var result = await Meshctl.RunAsync(["cluster", "status"],
            new Dictionary<string, string> { ["MESHCTL_ENDPOINT"] = server.HostPort });

        Assert.Equal(0, result.ExitCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Command_line_beats_the_environment_variable()
    {
        await using var server = await ServingAsync();

        var result = await Meshctl.RunAsync([server.HostPort, "cluster", "status"],
            new Dictionary<string, string> { ["MESHCTL_ENDPOINT"] = $"127.0.0.1:{Meshctl.FreePort()}" });

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_one_line_and_exit_code_2()
    {
        var port = Meshctl.FreePort();

        var result = await Meshctl.RunAsync($"127.0.0.1:{port}", "cluster", "show");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal(
            $"meshctl: cannot reach command endpoint at 127.0.0.1:{port} (connection refused) — is a mesh member running there?\n",
            result.Err);
    }

    [Fact]
    public async Task Default_endpoint_is_loopback_9110()
    {
        // Only the message is checked: something may listen on 9110 on a dev box, but then it must be named.
        var result = await Meshctl.RunAsync("cluster", "status");

        if (result.ExitCode == 2)
            Assert.Contains("command endpoint at 127.0.0.1:9110 (", result.Err);
    }

    [Theory]
    [InlineData("127.0.0.1:99999", "'127.0.0.1:99999' is not a valid endpoint: port must be a number from 1 to 65535")]
    [InlineData("127.0.0.1:", "'127.0.0.1:' is not a valid endpoint: port must be a number from 1 to 65535")]
    [InlineData(":9110", "':9110' is not a valid endpoint: expected HOST:PORT, e.g. 127.0.0.1:9110")]
    [InlineData("clustr", "'clustr' is neither a command nor a HOST:PORT endpoint. See 'meshctl --help'.")]
    public async Task Malformed_positional_endpoint_is_a_usage_error_with_exit_1(string endpoint, string message)
    {
        var result = await Meshctl.RunAsync(endpoint, "cluster", "show");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"meshctl: {message}\n", result.Err);
    }

    [Fact]
    public async Task Malformed_endpoint_alone_is_a_parse_error_with_exit_1()
    {
        var result = await Meshctl.RunAsync("clustr");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'clustr' is neither a command nor a HOST:PORT endpoint.", result.Err);
    }

    [Fact]
    public async Task Malformed_endpoint_option_is_a_parse_error_with_exit_1()
    {
        var result = await Meshctl.RunAsync("cluster", "show", "--endpoint", "localhost");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'localhost' is not a valid endpoint: expected HOST:PORT", result.Err);
    }

    [Fact]
    public async Task Malformed_environment_variable_names_the_variable()
    {
        var result = await Meshctl.RunAsync(["cluster", "show"], new Dictionary<string, string> { ["MESHCTL_ENDPOINT"] = "nope" });

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("meshctl: MESHCTL_ENDPOINT: 'nope' is not a valid endpoint: expected HOST:PORT, e.g. 127.0.0.1:9110\n", result.Err);
    }

    [Fact]
    public async Task Two_different_endpoints_on_the_command_line_are_refused()
    {
        var result = await Meshctl.RunAsync("127.0.0.1:1", "--endpoint", "127.0.0.1:2", "cluster", "show");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("meshctl: endpoint given twice (127.0.0.1:1 and --endpoint 127.0.0.1:2); use one\n", result.Err);
    }

    [Fact]
    public async Task Unknown_output_format_is_a_usage_error()
    {
        var result = await Meshctl.RunAsync("cluster", "show", "-o", "xml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Argument 'xml' not recognized.", result.Err);
    }
}
