using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Server;
using Mesh.Hbone.Relay;

using static Mesh.Hbone.Tests.HboneTestBed;

namespace Mesh.Hbone.Tests;

/// <summary>Client pool → HBONE server → app, over real mutual TLS on loopback.</summary>
public sealed class HboneRoundTripSpec : IAsyncLifetime
{
    private HboneTestBed _bed = null!;

    public Task InitializeAsync()
    {
        _bed = new HboneTestBed();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Bytes_round_trip_byte_exact_and_the_server_sees_the_request()
    {
        var payload = new byte[300_000];
        new Random(7).NextBytes(payload);

        var echoed = await EchoThroughAsync(_bed.Pool, _bed.Request("10.244.1.7:8080", clientPort: 41234), payload);

        Assert.Equal(payload, echoed);
        var admitted = Assert.Single(_bed.Handler.Admitted);
        Assert.Equal(MeshPki.Client, admitted.Peer);
        Assert.Equal(IPEndPoint.Parse("10.244.1.7:8080"), admitted.Target);
        Assert.Equal(IPEndPoint.Parse("10.244.2.5:41234"), admitted.ForwardedFor);
        Assert.Contains(admitted.Headers, h => h.Name == "traceparent" && h.Value.StartsWith("00-", StringComparison.Ordinal));
        Assert.DoesNotContain(admitted.Headers, h => h.Name is ":scheme" or ":path" or ":protocol");
        await EventuallyAsync(() => _bed.Handler.Completions.Count == 1, "the handler's Completed call");
        var (_, admission, result) = Assert.Single(_bed.Handler.Completions);
        Assert.Equal(200, admission);
        Assert.Equal(RelayOutcome.Completed, result!.Outcome);
        Assert.Equal(payload.Length, result.BytesUp);
        Assert.Equal(payload.Length, result.BytesDown);
    }

    [Fact]
    public async Task Half_close_works_in_both_directions()
    {
        // The app side half-closes first (the client keeps reading), then the other way: the server app speaks last.
        _bed.Handler.App = _bed.Echo.EndPoint;
        var (app, relay, tunnel) = await OpenRelayAsync(_bed.Pool, _bed.Request());
        await using (tunnel)
        using (app)
        {
            await LoopbackPairs.SendAllAsync(app, "ping"u8.ToArray());
            app.Shutdown(SocketShutdown.Send);
            // The echo app sees EOF only through the tunnel's END_STREAM, echoes, then half-closes back.
            Assert.Equal("ping"u8.ToArray(), await LoopbackPairs.ReadToEndAsync(app));
            var result = await relay.WaitAsync(Deadline);
            Assert.Equal(RelayOutcome.Completed, result.Outcome);
            Assert.Equal(RelaySide.Downstream, result.FirstClosed);
        }

        // Server app closes first: a server that writes a banner and half-closes before reading.
        using var banner = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        banner.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        banner.Listen(1);
        _bed.Handler.App = (IPEndPoint)banner.LocalEndPoint!;
        var serverApp = Task.Run(async () =>
        {
            using var s = await banner.AcceptAsync();
            await LoopbackPairs.SendAllAsync(s, "banner"u8.ToArray());
            s.Shutdown(SocketShutdown.Send);
            return await LoopbackPairs.ReadToEndAsync(s); // still reads after its own half-close
        });
        var (app2, relay2, tunnel2) = await OpenRelayAsync(_bed.Pool, _bed.Request());
        await using (tunnel2)
        using (app2)
        {
            Assert.Equal("banner"u8.ToArray(), await LoopbackPairs.ReadToEndAsync(app2));
            await LoopbackPairs.SendAllAsync(app2, "late reply"u8.ToArray());
            app2.Shutdown(SocketShutdown.Send);
            Assert.Equal("late reply"u8.ToArray(), await serverApp.WaitAsync(Deadline));
            var result = await relay2.WaitAsync(Deadline);
            Assert.Equal(RelayOutcome.Completed, result.Outcome);
            Assert.Equal(RelaySide.Upstream, result.FirstClosed);
        }
    }

    [Fact]
    public async Task One_thousand_concurrent_tunnels_share_at_most_ten_connections()
    {
        var payloads = Enumerable.Range(0, 1000).Select(i =>
        {
            var p = new byte[1000 + i * 37 % 20_000];
            new Random(i).NextBytes(p);
            return p;
        }).ToArray();

        // All 1,000 are open at once: each holds its stream until every tunnel is up.
        var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opened = 0;
        async Task<bool> OneAsync(int i)
        {
            var (app, relay, tunnel) = await OpenRelayAsync(_bed.Pool, _bed.Request($"10.244.1.{i % 200 + 1}:{8000 + i}", clientPort: 30000 + i));
            await using (tunnel)
            using (app)
            {
                if (Interlocked.Increment(ref opened) == payloads.Length)
                    allOpen.SetResult();
                await allOpen.Task.WaitAsync(Deadline);
                var reading = LoopbackPairs.ReadToEndAsync(app);
                await LoopbackPairs.SendAllAsync(app, payloads[i]);
                app.Shutdown(SocketShutdown.Send);
                var echoed = await reading;
                Assert.Equal(RelayOutcome.Completed, (await relay.WaitAsync(Deadline)).Outcome);
                return echoed.AsSpan().SequenceEqual(payloads[i]);
            }
        }

        var results = await Task.WhenAll(Enumerable.Range(0, payloads.Length).Select(i => Task.Run(() => OneAsync(i))));

        Assert.All(results, Assert.True);
        Assert.Equal(10, _bed.Server.ConnectionsAccepted);
        Assert.Equal(10, _bed.Pool.Snapshot().ConnectionsOpened);
        var key = Assert.Single(_bed.Pool.Snapshot().Keys);
        Assert.True(key.Connections.Count <= 10);
    }

    [Fact]
    public async Task A_burst_of_fifty_opens_makes_one_connection()
    {
        var tunnels = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _bed.Pool.OpenAsync(_bed.Request(), default).AsTask()));
        Assert.Equal(1, _bed.Pool.Snapshot().ConnectionsOpened);
        Assert.Equal(50, Assert.Single(Assert.Single(_bed.Pool.Snapshot().Keys).Connections).OpenStreams);
        foreach (var tunnel in tunnels)
            await tunnel.DisposeAsync();
        await EventuallyAsync(() => Assert.Single(_bed.Pool.Snapshot().Keys).Connections[0].OpenStreams == 0, "streams released");
        Assert.Equal(1, _bed.Server.ConnectionsAccepted);
    }
}
