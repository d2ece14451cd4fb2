using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Tests.Commands.Waypoint;

public sealed class WaypointCommandsTests
{
    private static WaypointView View(string ns, string name, string traffic, bool accepted = true) => new(ns, name, "default", traffic,
        accepted
            ? [new("Accepted", "True", "Accepted", "Resource accepted"), new("Programmed", "False", "Pending", "no waypoint pod is ready")]
            : [new("Accepted", "False", "ListenersNotValid", "no listener on port 15008 with protocol HBONE"), new("Programmed", "False", "Invalid", "the Gateway is not accepted")],
        accepted ? [$"{name}.{ns}.svc.cluster.local"] : []);

    private static readonly List<WaypointView> Waypoints =
    [
        View("default", "waypoint", "service"),
        View("demo", "wp", "all"),
        View("demo", "broken", "service", accepted: false),
    ];

    [Fact]
    public async Task List_shows_the_default_namespace_in_istioctls_columns()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Waypoints, Waypoints);

        var result = await Meshctl.RunAsync(server.HostPort, "waypoint", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            NAME      REVISION  TRAFFIC TYPE  PROGRAMMED
            waypoint  default   service       False

            """, result.Out);
    }

    [Fact]
    public async Task List_of_every_namespace_adds_a_namespace_column_sorted()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Waypoints, Waypoints);

        var result = await Meshctl.RunAsync(server.HostPort, "waypoint", "list", "-A");

        Assert.Equal(
            """
            NAMESPACE  NAME      REVISION  TRAFFIC TYPE  PROGRAMMED
            default    waypoint  default   service       False
            demo       broken    default   service       False
            demo       wp        default   all           False

            """, result.Out);
    }

    [Fact]
    public async Task List_of_a_namespace_without_waypoints_says_so()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Waypoints, Waypoints);

        var result = await Meshctl.RunAsync(server.HostPort, "waypoint", "list", "-n", "nothing-here");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("No waypoints found.\n", result.Out);
    }

    [Fact]
    public async Task Status_shows_programmed_or_why_a_waypoint_is_not_accepted_and_names_missing_ones()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Waypoints, Waypoints);

        var result = await Meshctl.RunAsync(server.HostPort, "waypoint", "status", "-n", "demo", "wp", "broken", "ghost");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            """
            NAME    STATUS  TYPE        REASON             MESSAGE
            broken  False   Accepted    ListenersNotValid  no listener on port 15008 with protocol HBONE
            wp      False   Programmed  Pending            no waypoint pod is ready

            """, result.Out);
        Assert.Contains("waypoint demo/ghost not found", result.Err);
    }

    [Fact]
    public async Task List_as_json_prints_the_views()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.Waypoints, Waypoints);

        var result = await Meshctl.RunAsync(server.HostPort, "waypoint", "list", "-n", "demo", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"trafficType\": \"all\"", result.Out);
        Assert.Contains("\"wp.demo.svc.cluster.local\"", result.Out);
        Assert.DoesNotContain("\"waypoint\"", result.Out);
    }
}
