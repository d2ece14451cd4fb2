using System.Net.Sockets;

namespace Mesh.Echo.Tests;

public sealed class TcpEchoTests
{
    [Fact]
    public async Task Echoes_one_MiB_byte_exact_and_closes_after_half_close()
    {
        await using var server = await Echo.StartAsync(new EchoOptions { TcpPort = 0 });
        var payload = new byte[1024 * 1024];
        new Random(42).NextBytes(payload);

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.TcpEndPoint!);
        // Read while writing: 1 MiB exceeds socket buffers, a sequential client would deadlock.
        var receive = ReceiveToEndAsync(socket);
        for (var offset = 0; offset < payload.Length;)
        {
            offset += await socket.SendAsync(payload.AsMemory(offset, Math.Min(64 * 1024, payload.Length - offset)));
        }

        socket.Shutdown(SocketShutdown.Send);
        var echoed = await receive.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(payload.Length, echoed.Length);
        Assert.True(payload.AsSpan().SequenceEqual(echoed), "echoed bytes differ");
    }

    [Fact]
    public async Task Serves_many_connections_concurrently()
    {
        await using var server = await Echo.StartAsync(new EchoOptions { TcpPort = 0 });

        var clients = Enumerable.Range(0, 64).Select(async i =>
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server.TcpEndPoint!);
            var message = System.Text.Encoding.ASCII.GetBytes($"connection {i}");
            var receive = ReceiveToEndAsync(socket);
            await socket.SendAsync(message);
            socket.Shutdown(SocketShutdown.Send);
            return (message, echoed: await receive);
        });

        foreach (var (message, echoed) in await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(20)))
        {
            Assert.Equal(message, echoed);
        }
    }

    [Fact]
    public async Task No_tcp_listener_without_a_tcp_port()
    {
        var log = new StringWriter();
        await using (var server = await Echo.StartAsync(new EchoOptions { Log = log }))
        {
            Assert.Null(server.TcpEndPoint);
        }

        // The log is drained on stop, so reading it afterwards is race-free.
        Assert.DoesNotContain("tcp://", log.ToString());
        Assert.Contains("mesh-echo listening on http://127.0.0.1:", log.ToString());
    }

    [Fact]
    public async Task Stop_closes_open_tcp_connections()
    {
        var server = await Echo.StartAsync(new EchoOptions { TcpPort = 0 });
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.TcpEndPoint!);
        await socket.SendAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        Assert.Equal(4, await socket.ReceiveAsync(buffer));

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        // Our side is closed: the next read sees EOF (or a reset), never a hang.
        var read = socket.ReceiveAsync(buffer);
        try
        {
            Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        catch (SocketException)
        {
            // reset is an acceptable way to be closed
        }
    }

    private static async Task<byte[]> ReceiveToEndAsync(Socket socket)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }
}
