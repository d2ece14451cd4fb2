using System.Net;
using System.Text.Json;
using Mesh.Node.AdminServer;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Telemetry;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Mesh.Node.Tests.Telemetry.TelemetryFixtures;

namespace Mesh.Node.Tests.AdminServer;

/// <summary>The admin (15000), stats (15020) and readiness (15021) servers over real HTTP.</summary>
public sealed class ZtunnelPortsSpec
{
    private static NodeSlice Slice() => new("node-a", ValueList.Of(Sleep, Reviews), ValueList.Of(ReviewsService),
        ValueList.Of(new Mesh.Protocol.Model.Authorization("allow-sleep", "bookinfo", PolicyScope.Namespace, PolicyAction.Allow, ValueList<Rule>.Empty)));

    [Fact]
    public async Task Config_dump_shows_workloads_services_policies_certificates_and_connections()
    {
        await using var node = await TelemetryNode.StartAsync();
        node.Store.Apply(Slice(), 42);
        MetricsGoldenSpec.PutCertificate(node, new SpiffeId("cluster.local", "default", "sleep"), DateTimeOffset.UtcNow.AddHours(1));
        var open = OutboundHbone();
        node.Telemetry.Opened(open);

        var dump = JsonSerializer.Deserialize<ConfigDumpView>(await node.GetAsync(node.AdminPort, "/config_dump"), AdminJson.Options)!;

        Assert.Equal("node-a", dump.Node);
        Assert.Equal(42, dump.Version);
        Assert.True(dump.Synced);
        Assert.Equal([Sleep, Reviews], dump.Workloads);
        Assert.Equal([ReviewsService], dump.Services);
        Assert.Equal("allow-sleep", Assert.Single(dump.Policies).Name);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/sleep", Assert.Single(dump.Certificates, c => c.Type == "leaf").Name);
        var connection = Assert.Single(dump.Connections);
        Assert.Equal(("sleep-7656cf8794-r7zb9", "Outbound", "10.244.1.5:41228", "10.244.2.7:15008", "10.96.0.20:9080", "HBONE"),
            (connection.Workload, connection.Direction, connection.Local, connection.Remote, connection.RemoteTarget, connection.Protocol));
    }

    [Fact]
    public async Task Logging_sets_the_default_level_at_runtime()
    {
        await using var node = await TelemetryNode.StartAsync();
        var logger = node.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Node.Proxy.Outbound");
        Assert.False(logger.IsEnabled(LogLevel.Debug));
        Assert.Equal("info", Level(await node.GetAsync(node.AdminPort, "/logging")));

        using var set = await node.SendAsync(HttpMethod.Post, node.AdminPort, "/logging?level=debug");

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.True(logger.IsEnabled(LogLevel.Debug));
        var view = await node.GetAsync(node.AdminPort, "/logging");
        Assert.Equal("debug", Level(view));
        Assert.Equal("warn", Loggers(view)["Microsoft.AspNetCore"]); // more specific rules keep their level
    }

    [Fact]
    public async Task Logging_sets_one_logger_with_put_and_rejects_unknown_levels()
    {
        await using var node = await TelemetryNode.StartAsync();
        var factory = node.Services.GetRequiredService<ILoggerFactory>();
        var proxy = factory.CreateLogger("Mesh.Node.Proxy.Inbound");
        var other = factory.CreateLogger("Mesh.Node.State");

        using var set = await node.SendAsync(HttpMethod.Put, node.AdminPort, "/logging?Mesh.Node.Proxy=trace");
        using var bad = await node.SendAsync(HttpMethod.Post, node.AdminPort, "/logging?level=loud");
        using var empty = await node.SendAsync(HttpMethod.Post, node.AdminPort, "/logging");

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.True(proxy.IsEnabled(LogLevel.Trace));
        Assert.False(other.IsEnabled(LogLevel.Debug));
        Assert.Equal("trace", Loggers(await node.GetAsync(node.AdminPort, "/logging"))["Mesh.Node.Proxy"]);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("invalid level 'loud'", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task A_request_with_level_and_a_logger_applies_the_default_first()
    {
        await using var node = await TelemetryNode.StartAsync();
        var factory = node.Services.GetRequiredService<ILoggerFactory>();

        using var set = await node.SendAsync(HttpMethod.Post, node.AdminPort, "/logging?Mesh.Node.Dns=trace&level=warn");

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.True(factory.CreateLogger("Mesh.Node.Dns.DnsProxy").IsEnabled(LogLevel.Trace));
        Assert.False(factory.CreateLogger("Mesh.Node.State").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task Readiness_waits_for_state_and_for_every_block()
    {
        await using var node = await TelemetryNode.StartAsync();

        using var before = await node.SendAsync(HttpMethod.Get, node.ReadinessPort, "/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Contains("node state", await before.Content.ReadAsStringAsync());

        node.Store.Apply(Slice(), 1);
        var block = node.Services.GetRequiredService<NodeReadiness>().Block("listeners of captured pods");
        using var blocked = await node.SendAsync(HttpMethod.Get, node.ReadinessPort, "/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, blocked.StatusCode);
        Assert.Equal("not ready: listeners of captured pods\n", await blocked.Content.ReadAsStringAsync());

        block.Dispose();
        using var ready = await node.SendAsync(HttpMethod.Get, node.ReadinessPort, "/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("stats", "/config_dump")]
    [InlineData("stats", "/logging")]
    [InlineData("stats", "/healthz/ready")]
    [InlineData("readiness", "/metrics")]
    [InlineData("readiness", "/config_dump")]
    [InlineData("admin", "/healthz/ready")]
    public async Task Each_port_serves_only_its_own_routes(string server, string path)
    {
        await using var node = await TelemetryNode.StartAsync();
        var port = server switch { "stats" => node.StatsPort, "readiness" => node.ReadinessPort, _ => node.AdminPort };

        using var response = await node.SendAsync(HttpMethod.Get, port, path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void Admin_is_loopback_and_stats_and_readiness_are_all_interfaces_by_default()
    {
        var ports = new NodePortsOptions();

        Assert.Equal((15000, "127.0.0.1"), (ports.Admin, ports.AdminBind));
        Assert.Equal((15020, "0.0.0.0"), (ports.Stats, ports.StatsBind));
        Assert.Equal((15021, "0.0.0.0"), (ports.Readiness, ports.ReadinessBind));
    }

    [Fact]
    public async Task Telemetry_is_resolvable_for_the_data_path()
    {
        await using var node = await TelemetryNode.StartAsync();

        Assert.IsType<ConnectionTelemetry>(node.Services.GetRequiredService<IConnectionTelemetry>());
    }

    private static string Level(string json) => JsonDocument.Parse(json).RootElement.GetProperty("level").GetString()!;

    private static Dictionary<string, string> Loggers(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("loggers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
}
