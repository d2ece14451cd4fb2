using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Contracts;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Cli.Tests.Commands.Sharding;

public sealed class ShardingCommandsTests
{
    private static readonly RegionStatsView Stats = new(
        EntityTypes.NodeState,
        [
            new RegionView("akka.tcp://mesh@10.0.0.2:4053", new Dictionary<string, int> { ["10"] = 1, ["2"] = 3, ["7"] = 12 }),
            new RegionView("akka.tcp://mesh@10.0.0.1:4053", new Dictionary<string, int> { ["1"] = 4 }),
            new RegionView("akka.tcp://mesh@10.0.0.4:4053", new Dictionary<string, int>()),
        ],
        ["akka.tcp://mesh@10.0.0.3:4053"]);

    private static Task<FakeCommandEndpoint> ServingAsync() =>
        FakeCommandEndpoint.StartAsync(app => app.MapGet(AdminRoutes.RegionStats, (string type) =>
            FakeCommandEndpoint.Json(Stats with { TypeName = type })));

    [Fact]
    public async Task Region_stats_prints_a_table_per_region_with_totals_and_failed_regions()
    {
        await using var server = await ServingAsync();

        var result = await Meshctl.RunAsync(server.HostPort, "cluster-sharding", "region-stats", "-r", "node-state");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new[] { $"GET {AdminRoutes.RegionStats}?type=node-state" }, server.Requests);
        Assert.Equal(
            """
            Type: node-state

            Region: akka.tcp://mesh@10.0.0.1:4053
              SHARD  ENTITIES
              1      4
              Total  4

            Region: akka.tcp://mesh@10.0.0.2:4053
              SHARD  ENTITIES
              2      3
              7      12
              10     1
              Total  16

            Region: akka.tcp://mesh@10.0.0.4:4053
              (no shards)

            Total: 3 regions, 4 shards, 20 entities
            Failed regions (1):
              akka.tcp://mesh@10.0.0.3:4053

            """, result.Out);
    }

    [Fact]
    public async Task Region_stats_as_json_prints_the_dto()
    {
        await using var server = await ServingAsync();

        var result = await Meshctl.RunAsync(server.HostPort, "cluster-sharding", "region-stats", "--region", "address-state", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("{\n  \"typeName\": \"address-state\",\n  \"regions\": [\n", result.Out);
        Assert.Contains("\"entities\": 16", result.Out); // the computed total is part of the DTO's JSON
        Assert.EndsWith("  \"failed\": [\n    \"akka.tcp://mesh@10.0.0.3:4053\"\n  ]\n}\n", result.Out);
    }

    [Fact]
    public async Task Region_stats_without_a_region_is_a_usage_error()
    {
        var result = await Meshctl.RunAsync("cluster-sharding", "region-stats");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Option '--region' is required.", result.Err);
    }
}
