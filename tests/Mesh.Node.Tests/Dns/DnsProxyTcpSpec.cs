using System.Net;
using System.Net.Sockets;
using Mesh.Node.Dns;

namespace Mesh.Node.Tests.Dns;

/// <summary>RFC 7766 behaviour the dig tests cannot pin down: pipelining on one connection, bad frames.</summary>
public sealed class DnsProxyTcpSpec : IAsyncLifetime
{
    private readonly FakeUpstream _upstream = new();
    private DnsProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _proxy = new DnsProxy(DictionaryNames.Demo(), "demo", [_upstream.EndPoint], TimeSpan.FromSeconds(2));
        await _proxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _proxy.Port));
        return socket;
    }

    [Fact]
    public async Task Several_queries_on_one_connection_are_answered_in_order()
    {
        using var socket = await ConnectAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // Written back to back in one send, before reading anything.
        var framed = new List<byte>();
        foreach (var (name, id) in new[] { ("echo", (ushort)1), ("www.outside.test", (ushort)2), ("echo.demo", (ushort)3) })
        {
            var query = Packets.Query(name, id: id);
            framed.AddRange([(byte)(query.Length >> 8), (byte)query.Length, .. query]);
        }
        await socket.SendAsync(framed.ToArray(), timeout.Token);

        var ids = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var response = await DnsTcpFraming.ReadAsync(socket, timeout.Token);
            Assert.NotNull(response);
            ids.Add(response[0] << 8 | response[1]);
            Assert.Equal(0, response[3] & 0xF);
            Assert.Equal(1, response[7]);
        }
        Assert.Equal([1, 2, 3], ids);
        Assert.Equal(1, _upstream.TcpQueries);
    }

    [Fact]
    public async Task A_malformed_message_is_counted_and_closes_the_connection()
    {
        using var socket = await ConnectAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await DnsTcpFraming.WriteAsync(socket, [1, 2, 3], timeout.Token);
        Assert.Null(await DnsTcpFraming.ReadAsync(socket, timeout.Token));
        Assert.Equal(1, _proxy.MalformedQueries);
    }

    [Fact]
    public async Task A_zero_length_frame_is_counted_and_closes_the_connection()
    {
        using var socket = await ConnectAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(new byte[] { 0, 0 }, timeout.Token);
        Assert.Null(await DnsTcpFraming.ReadAsync(socket, timeout.Token));
        Assert.Equal(1, _proxy.MalformedQueries);
    }
}
