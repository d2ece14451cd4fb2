using Mesh.Testing;
using System.Net.Sockets;
using Mesh.Hbone.Relay;
using static Mesh.Testing.LoopbackPairs;

namespace Mesh.Hbone.Tests;

/// <summary>An idle relayed connection holds no pooled buffer: buffers are rented only while bytes flow.</summary>
public sealed class SocketRelayIdleSpec
{
    private const int Connections = 1000;

    [Fact]
    public async Task A_thousand_idle_relays_hold_no_rented_buffers_and_still_relay_afterwards()
    {
        var pool = new CountingPool();
        var ends = new List<(Socket Client, Socket Server)>();
        var relays = new List<Task<RelayResult>>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var (client, downstream) = await ConnectAsync();
                var (upstream, server) = await ConnectAsync();
                ends.Add((client, server));
                relays.Add(RelayPump.RunAsync(new SocketRelayEnd(downstream, pool), new SocketRelayEnd(upstream, pool)));
            }

            // Every relay moves a little each way, so each has rented (and must have given back) a buffer per direction.
            await Task.WhenAll(ends.Select(e => PingPongAsync(e.Client, e.Server, "ping"u8.ToArray(), "pong"u8.ToArray())));
            Assert.True(pool.Rentals >= 2 * Connections, $"rentals: {pool.Rentals}");
            await EventuallyAsync(() => pool.Outstanding == 0, () => $"buffers still rented by idle relays: {pool.Outstanding}");

            // Idle is not dead: the same relays still carry data, then end cleanly.
            await Task.WhenAll(ends.Select(e => PingPongAsync(e.Client, e.Server, "again"u8.ToArray(), "still here"u8.ToArray())));
            foreach (var (client, server) in ends)
            {
                client.Shutdown(SocketShutdown.Send);
                server.Shutdown(SocketShutdown.Send);
            }
            var results = await Task.WhenAll(relays).WaitAsync(Deadline);
            Assert.All(results, r => Assert.Equal((RelayOutcome.Completed, 9L, 14L), (r.Outcome, r.BytesUp, r.BytesDown)));
            Assert.Equal(0, pool.Outstanding);
        }
        finally
        {
            foreach (var (client, server) in ends)
            {
                client.Dispose();
                server.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_buffer_is_held_only_while_a_direction_is_busy()
    {
        var pool = new CountingPool();
        var (client, downstream) = await ConnectAsync();
        var (upstream, server) = await ConnectAsync();
        using var c = client;
        using var s = server;
        var relay = RelayPump.RunAsync(new SocketRelayEnd(downstream, pool, 1024), new SocketRelayEnd(upstream, pool, 1024));
        Assert.Equal(0, pool.Outstanding);

        // More than one buffer's worth: the pump keeps its buffer across full reads, then gives it back.
        var payload = new byte[256 * 1024];
        Random.Shared.NextBytes(payload);
        var received = ReadExactlyAsync(server, payload.Length);
        await SendAllAsync(client, payload);
        Assert.Equal(payload, await received);
        await EventuallyAsync(() => pool.Outstanding == 0, () => $"outstanding after the burst: {pool.Outstanding}");

        client.Shutdown(SocketShutdown.Send);
        server.Shutdown(SocketShutdown.Send);
        var result = await relay.WaitAsync(Deadline);
        Assert.Equal(RelayOutcome.Completed, result.Outcome);
        Assert.Equal(payload.Length, result.BytesUp);
    }

    private static async Task PingPongAsync(Socket client, Socket server, byte[] up, byte[] down)
    {
        await SendAllAsync(client, up);
        Assert.Equal(up, await ReadExactlyAsync(server, up.Length));
        await SendAllAsync(server, down);
        Assert.Equal(down, await ReadExactlyAsync(client, down.Length));
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var at = 0; at < count;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(at), SocketFlags.None).AsTask().WaitAsync(Deadline);
            if (read == 0) throw new EndOfStreamException($"EOF after {at} of {count} bytes");
            at += read;
        }
        return buffer;
    }

    private static Task EventuallyAsync(Func<bool> condition, Func<string> failure) =>
        Eventually.Until(() => Task.FromResult(condition()), ok => ok, TimeSpan.FromSeconds(10), failure);
}
