using Mesh.Testing;
using System.Net.Sockets;
using System.Security.Cryptography;
using Mesh.Hbone.Relay;
using static Mesh.Testing.LoopbackPairs;

namespace Mesh.Hbone.Tests;

public sealed class SocketRelaySpec : IAsyncLifetime
{
    private Socket _client = null!, _server = null!, _downstream = null!, _upstream = null!;

    // client <-> [downstream | relay | upstream] <-> server
    public async Task InitializeAsync()
    {
        (_client, _downstream) = await ConnectAsync();
        (_upstream, _server) = await ConnectAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var socket in new[] { _client, _server, _downstream, _upstream })
            socket.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Copies_64_MiB_byte_exact_up_and_a_reply_down()
    {
        var payload = new byte[64 * 1024 * 1024];
        new Random(1234).NextBytes(payload);
        var reply = new byte[3 * 1024 * 1024 + 17];
        new Random(99).NextBytes(reply);
        var relay = RelaySockets(_downstream, _upstream);

        var serverSide = Task.Run(async () =>
        {
            var received = await ReadToEndAsync(_server);
            await SendAllAsync(_server, reply);
            _server.Shutdown(SocketShutdown.Send);
            return received;
        });
        await SendAllAsync(_client, payload);
        _client.Shutdown(SocketShutdown.Send);
        var back = await ReadToEndAsync(_client);
        var atServer = await serverSide.WaitAsync(Deadline);
        var result = await relay.WaitAsync(Deadline);

        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(atServer));
        Assert.Equal(SHA256.HashData(reply), SHA256.HashData(back));
        Assert.Equal(payload.Length, result.BytesUp);
        Assert.Equal(reply.Length, result.BytesDown);
        Assert.Equal(RelayOutcome.Completed, result.Outcome);
        Assert.Equal(RelaySide.Downstream, result.FirstClosed);
        Assert.Null(result.Error);
        Assert.True(result.Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task Client_half_close_reaches_server_which_can_still_answer()
    {
        var relay = RelaySockets(_downstream, _upstream);
        await SendAllAsync(_client, "request"u8.ToArray());
        _client.Shutdown(SocketShutdown.Send);

        Assert.Equal("request"u8.ToArray(), await ReadToEndAsync(_server)); // EOF arrived after the data
        await SendAllAsync(_server, "answer after EOF"u8.ToArray());
        _server.Shutdown(SocketShutdown.Send);
        Assert.Equal("answer after EOF"u8.ToArray(), await ReadToEndAsync(_client));

        var result = await relay.WaitAsync(Deadline);
        Assert.Equal(RelayOutcome.Completed, result.Outcome);
        Assert.Equal(RelaySide.Downstream, result.FirstClosed);
        Assert.Equal((7L, 16L), (result.BytesUp, result.BytesDown));
    }

    [Fact]
    public async Task Server_half_close_reaches_client_which_can_still_send()
    {
        var relay = RelaySockets(_downstream, _upstream);
        await SendAllAsync(_server, "banner"u8.ToArray());
        _server.Shutdown(SocketShutdown.Send);

        Assert.Equal("banner"u8.ToArray(), await ReadToEndAsync(_client));
        await SendAllAsync(_client, "late upload"u8.ToArray());
        _client.Shutdown(SocketShutdown.Send);
        Assert.Equal("late upload"u8.ToArray(), await ReadToEndAsync(_server));

        var result = await relay.WaitAsync(Deadline);
        Assert.Equal(RelayOutcome.Completed, result.Outcome);
        Assert.Equal(RelaySide.Upstream, result.FirstClosed);
        Assert.Equal((11L, 6L), (result.BytesUp, result.BytesDown));
    }

    [Fact]
    public async Task Cancellation_closes_both_sides()
    {
        using var cts = new CancellationTokenSource();
        var relay = RelaySockets(_downstream, _upstream, cts.Token);
        await SendAllAsync(_client, "hello"u8.ToArray());
        var buffer = new byte[5];
        Assert.Equal(5, await _server.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Deadline));

        await cts.CancelAsync();
        var result = await relay.WaitAsync(Deadline);

        Assert.Equal(RelayOutcome.Cancelled, result.Outcome);
        Assert.Equal(RelaySide.None, result.FirstClosed);
        Assert.Equal(5, result.BytesUp);
        Assert.True(await SeesCloseAsync(_client));
        Assert.True(await SeesCloseAsync(_server));
    }

    [Fact]
    public async Task Peer_reset_is_reported_not_thrown_and_the_other_side_is_closed()
    {
        var relay = RelaySockets(_downstream, _upstream);
        await SendAllAsync(_client, "x"u8.ToArray());
        Assert.Equal(1, await _server.ReceiveAsync(new byte[1], SocketFlags.None).WaitAsync(Deadline));

        _client.LingerState = new LingerOption(true, 0);
        _client.Close(); // RST

        var result = await relay.WaitAsync(Deadline);
        Assert.Equal(RelayOutcome.Failed, result.Outcome);
        Assert.Equal(RelaySide.Downstream, result.ErrorSide);
        var error = Assert.IsType<SocketException>(result.Error);
        Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        Assert.True(await SeesCloseAsync(_server));
    }

    [Fact]
    public async Task Already_cancelled_token_ends_at_once()
    {
        var result = await RelaySockets(_downstream, _upstream, new CancellationToken(true)).WaitAsync(Deadline);
        Assert.Equal(RelayOutcome.Cancelled, result.Outcome);
        Assert.Equal((0L, 0L), (result.BytesUp, result.BytesDown));
    }
}
