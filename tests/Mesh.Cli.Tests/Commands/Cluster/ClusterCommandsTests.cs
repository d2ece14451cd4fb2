using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Mesh.Cli.Tests.Commands.Cluster;

public sealed class ClusterCommandsTests
{
    [Fact]
    public async Task Show_lists_members_sorted_by_address_with_aligned_columns_and_count()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Cluster, Fixtures.Cluster);

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "show");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Err);
        Assert.Equal(
            """
            akka.tcp://mesh@10.0.0.1:4053 | [control]       | Up      | reachable
            akka.tcp://mesh@10.0.0.2:4053 | [node,waypoint] | Leaving | reachable
            akka.tcp://mesh@10.0.0.3:4053 | [node]          | Up      | unreachable
            Count: 3 nodes

            """, result.Out);
    }

    [Fact]
    public async Task Show_as_json_prints_the_dto_indented_with_the_contract_naming()
    {
        var view = new ClusterView("akka.tcp://mesh@10.0.0.1:4053", null,
            [new MemberView("akka.tcp://mesh@10.0.0.1:4053", ["control"], "Up", true)]);
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Cluster, view);

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "show", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            {
              "self": "akka.tcp://mesh@10.0.0.1:4053",
              "leader": null,
              "members": [
                {
                  "address": "akka.tcp://mesh@10.0.0.1:4053",
                  "roles": [
                    "control"
                  ],
                  "status": "Up",
                  "reachable": true
                }
              ]
            }

            """, result.Out);
    }

    [Fact]
    public async Task Status_prints_self_status_roles_leader_and_counts()
    {
        var view = new MemberStatusView("akka.tcp://mesh@10.0.0.2:4053", "Up", ["node", "waypoint"], null, 3, 1);
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Status, view);

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "status");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            Self:        akka.tcp://mesh@10.0.0.2:4053
            Status:      Up
            Roles:       [node,waypoint]
            Leader:      (none)
            Members:     3
            Unreachable: 1

            """, result.Out);
    }

    [Fact]
    public async Task Status_as_json_round_trips_into_the_dto()
    {
        var view = new MemberStatusView("akka.tcp://mesh@10.0.0.2:4053", "Up", ["node"], "akka.tcp://mesh@10.0.0.1:4053", 3, 0);
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Status, view);

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "status", "--output", "json");

        var parsed = System.Text.Json.JsonSerializer.Deserialize<MemberStatusView>(result.Out, AdminJson.Options)!;
        Assert.Equal(view with { Roles = parsed.Roles }, parsed);
        Assert.Equal(new[] { "node" }, parsed.Roles);
        Assert.Contains("\n  \"self\": ", result.Out); // indented
    }

    [Fact]
    public async Task Leader_prints_leader_and_per_role_leaders_sorted_by_role()
    {
        var view = new LeaderView("akka.tcp://mesh@10.0.0.1:4053", new Dictionary<string, string?>
        {
            ["node"] = "akka.tcp://mesh@10.0.0.2:4053",
            ["control"] = "akka.tcp://mesh@10.0.0.1:4053",
            ["waypoint"] = null,
        });
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Leader, view);

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "leader");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            Leader:            akka.tcp://mesh@10.0.0.1:4053
            Leader [control]:  akka.tcp://mesh@10.0.0.1:4053
            Leader [node]:     akka.tcp://mesh@10.0.0.2:4053
            Leader [waypoint]: (none)

            """, result.Out);
    }

    [Theory]
    [InlineData("leave", AdminRoutes.Leave)]
    [InlineData("down", AdminRoutes.Down)]
    public async Task Leave_and_down_post_the_given_address_and_print_the_server_message(string verb, string route)
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app =>
            app.MapPost(route, (string address) => FakeCommandEndpoint.Json(new CommandResult(true, $"{verb} requested for {address}"))));

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", verb, "akka.tcp://mesh@10.0.0.2:4053");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"{verb} requested for akka.tcp://mesh@10.0.0.2:4053\n", result.Out);
        Assert.Equal(new[] { $"POST {route}?address=akka.tcp%3A%2F%2Fmesh%4010.0.0.2%3A4053" }, server.Requests);
    }

    [Fact]
    public async Task A_refused_command_prints_the_server_message_to_stderr_and_exits_1()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app =>
            app.MapPost(AdminRoutes.Down, () => FakeCommandEndpoint.Json(new CommandResult(false, "akka.tcp://mesh@10.9.9.9:4053 is not a member"))));

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "down", "akka.tcp://mesh@10.9.9.9:4053");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Equal("akka.tcp://mesh@10.9.9.9:4053 is not a member\n", result.Err);
    }

    [Fact]
    public async Task Down_unreachable_posts_and_prints_the_message()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app =>
            app.MapPost(AdminRoutes.DownUnreachable, () => FakeCommandEndpoint.Json(new CommandResult(true, "Downed 2 unreachable members"))));

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "down-unreachable");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Downed 2 unreachable members\n", result.Out);
        Assert.Equal(new[] { $"POST {AdminRoutes.DownUnreachable}" }, server.Requests);
    }

    [Fact]
    public async Task Command_result_as_json_keeps_the_exit_code_of_ok()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app =>
            app.MapPost(AdminRoutes.DownUnreachable, () => FakeCommandEndpoint.Json(new CommandResult(false, "no leader"))));

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "down-unreachable", "-o", "json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("{\n  \"ok\": false,\n  \"message\": \"no leader\"\n}\n", result.Out);
    }

    [Fact]
    public async Task Leave_without_an_address_is_a_usage_error_and_sends_nothing()
    {
        await using var server = await FakeCommandEndpoint.StartAsync(app => app.MapPost(AdminRoutes.Leave, () => Results.Ok()));

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "leave");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Required argument missing for command: 'leave'.", result.Err);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task An_unknown_verb_is_a_usage_error()
    {
        var result = await Meshctl.RunAsync("cluster", "frobnicate");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Unrecognized command or argument 'frobnicate'.", result.Err);
    }

    [Fact]
    public async Task A_group_without_a_verb_is_a_usage_error()
    {
        var result = await Meshctl.RunAsync("cluster");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Required command was not provided.", result.Err);
    }
}
