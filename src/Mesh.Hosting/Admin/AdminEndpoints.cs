using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mesh.Protocol.Admin;

namespace Mesh.Hosting.Admin;

/// <summary>The pbm-style cluster verbs every member serves on its command endpoint.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapClusterCommands(this IEndpointRouteBuilder app)
    {
        app.MapGet(AdminRoutes.Cluster, (ActorSystem system) => Json(ClusterViews.Cluster(system)));
        app.MapGet(AdminRoutes.Status, (ActorSystem system) => Json(ClusterViews.Status(system)));
        app.MapGet(AdminRoutes.Leader, (ActorSystem system) => Json(ClusterViews.Leader(system)));
        app.MapPost(AdminRoutes.Leave, (ActorSystem system, string? address) => ChangeMembership(system, address, "leave"));
        app.MapPost(AdminRoutes.Down, (ActorSystem system, string? address) => ChangeMembership(system, address, "down"));
        app.MapPost(AdminRoutes.DownUnreachable, (ActorSystem system) =>
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToList();
            foreach (var address in unreachable) cluster.Down(address);
            return Json(new CommandResult(true, unreachable.Count == 0
                ? "No unreachable members."
                : $"Downing {unreachable.Count} unreachable member(s): {string.Join(", ", unreachable)}"));
        });
        app.MapGet(AdminRoutes.Tail, TailAsync);
        app.MapGet(AdminRoutes.RegionStats, RegionStatsAsync);
        return app;
    }

    private static IResult ChangeMembership(ActorSystem system, string? address, string verb)
    {
        if (string.IsNullOrWhiteSpace(address))
            return Json(new CommandResult(false, $"{verb} needs an address (akka.tcp://mesh@host:port or host:port)"), 400);
        var member = ClusterViews.FindMember(system, address);
        if (member is null)
            return Json(new CommandResult(false, $"No cluster member at '{address}'."), 404);
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (verb == "leave") cluster.Leave(member.Address); else cluster.Down(member.Address);
        var done = verb == "leave" ? "leaving" : "downing";
        return Json(new CommandResult(true, $"Member {member.Address} is {done} the cluster."));
    }

    private static async Task TailAsync(HttpContext context, ActorSystem system)
    {
        var channel = Channel.CreateBounded<MemberEventView>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        var feed = system.ActorOf(Props.Create(() => new ClusterEventFeed(channel.Writer)));
        context.Response.ContentType = "application/x-ndjson";
        try
        {
            await context.Response.StartAsync(context.RequestAborted);
            await foreach (var e in channel.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(JsonSerializer.Serialize(e, AdminJson.Options) + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (Ctrl-C): normal end of a tail.
        }
        finally
        {
            feed.Tell(PoisonPill.Instance);
        }
    }

    private static async Task<IResult> RegionStatsAsync(ActorSystem system, string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
            return Json(new CommandResult(false, "region-stats needs a region type (-r)"), 400);
        var sharding = ClusterSharding.Get(system);
        IActorRef region;
        try { region = sharding.ShardRegion(type); }
        catch (ArgumentException)
        {
            var known = string.Join(", ", sharding.ShardTypeNames.OrderBy(n => n, StringComparer.Ordinal));
            return Json(new CommandResult(false, $"Unknown region type '{type}'. Known: {known}"), 404);
        }

        var timeout = TimeSpan.FromSeconds(5);
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(1));
        var regions = stats.Regions
            .OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .Select(r => new RegionView(r.Key.ToString(), r.Value.Stats.OrderBy(s => s.Key, StringComparer.Ordinal)
                .ToDictionary(s => s.Key, s => s.Value)))
            .ToList();
        var failed = stats.Regions.SelectMany(r => r.Value.Failed.Select(f => $"{r.Key}/{f}")).ToList();
        return Json(new RegionStatsView(type, regions, failed));
    }

    public static IResult Json<T>(T value, int status = 200) =>
        Results.Json(value, AdminJson.Options, statusCode: status);
}
