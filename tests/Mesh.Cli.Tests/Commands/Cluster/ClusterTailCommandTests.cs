using System.Text.Json;
using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Mesh.Cli.Tests.Commands.Cluster;

public sealed class ClusterTailCommandTests
{
    private static readonly MemberEventView[] Events =
    [
        new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, 125, TimeSpan.Zero), "MemberUp", "akka.tcp://mesh@10.0.0.2:4053", ["node"], "Up"),
        new(new DateTimeOffset(2025, 3, 1, 13, 0, 1, TimeSpan.FromHours(1)), "UnreachableMember", "akka.tcp://mesh@10.0.0.2:4053", ["node"], "Up"),
        new(new DateTimeOffset(2025, 3, 1, 12, 0, 5, TimeSpan.Zero), "MemberRemoved", "akka.tcp://mesh@10.0.0.2:4053", ["node", "waypoint"], "Removed"),
    ];

    /// <summary>How far apart the fake member's events arrive: a live stream, not one body meshctl could read at the end.</summary>
    private static readonly TimeSpan BetweenEvents = TimeSpan.FromMilliseconds(20);

    /// <summary>Writes events as NDJSON, flushing each, then either ends the stream or holds it open until the client goes away.</summary>
    private static Task<FakeCommandEndpoint> StreamingAsync(IEnumerable<MemberEventView> events, bool holdOpen) =>
        FakeCommandEndpoint.StartAsync(app => app.MapGet(AdminRoutes.Tail, async (HttpContext context) =>
        {
            context.Response.ContentType = "application/x-ndjson";
            foreach (var ev in events)
            {
                await context.Response.WriteAsync(JsonSerializer.Serialize(ev, AdminJson.Options) + "\n");
                await context.Response.Body.FlushAsync();
                await Task.Delay(BetweenEvents); // the behaviour being imitated, not a wait for the client
            }

            if (holdOpen)
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        }));

    [Fact]
    public async Task Tail_prints_one_line_per_event_until_the_stream_ends()
    {
        await using var server = await StreamingAsync(Events, holdOpen: false);

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "tail");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Err);
        Assert.Equal(
            """
            2025-03-01T12:00:00.125Z MemberUp akka.tcp://mesh@10.0.0.2:4053 [node] Up
            2025-03-01T12:00:01.000Z UnreachableMember akka.tcp://mesh@10.0.0.2:4053 [node] Up
            2025-03-01T12:00:05.000Z MemberRemoved akka.tcp://mesh@10.0.0.2:4053 [node,waypoint] Removed

            """, result.Out);
    }

    [Fact]
    public async Task Tail_as_json_prints_one_compact_document_per_line()
    {
        await using var server = await StreamingAsync(Events.Take(2), holdOpen: false);

        var result = await Meshctl.RunAsync(server.HostPort, "cluster", "tail", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(
            """{"time":"2025-03-01T12:00:00.125+00:00","event":"MemberUp","address":"akka.tcp://mesh@10.0.0.2:4053","roles":["node"],"status":"Up"}""",
            lines[0]);
        Assert.Equal("UnreachableMember", JsonSerializer.Deserialize<MemberEventView>(lines[1], AdminJson.Options)!.Event);
    }

    [Fact]
    public async Task Ctrl_c_ends_a_running_tail_with_exit_code_0()
    {
        await using var server = await StreamingAsync(Events.Take(1), holdOpen: true);
        using var ctrlC = new CancellationTokenSource();
        var stdout = new StringWriter();

        var run = Meshctl.RunAsync([server.HostPort, "cluster", "tail"], null, ctrlC.Token, stdout);
        await Eventually.True(() => stdout.ToString().Contains("MemberUp"), "meshctl printed the first event");
        ctrlC.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Err);
        Assert.Equal("2025-03-01T12:00:00.125Z MemberUp akka.tcp://mesh@10.0.0.2:4053 [node] Up\n", result.Out);
    }
}
