using System.Net;
using System.Net.Sockets;
using Mesh.Node.Capture;
using Mesh.Node.Proxy;

namespace Mesh.Node.Dns;

/// <summary>
/// Listens on the DNS capture port (15053, UDP and TCP) inside a pod's netns and forwards every query unchanged to
/// the host's resolvers from the ztunnel's own netns (which can reach them even when they are on loopback). Answers
/// for mesh names (the DNS proxy proper) are a later step; until then pods resolve services through their hosts file.
/// Queries are not parsed, so malformed packets cannot hurt it: they are forwarded or time out.
/// </summary>
public sealed class DnsForwarder(IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private int _next;

    public async Task StartAsync(NetnsSocketFactory sockets, int port)
    {
        var udp = await sockets.BindUdpAsync(new IPEndPoint(IPAddress.Any, port));
        var tcp = await sockets.ListenAsync(new IPEndPoint(IPAddress.Any, port), 128);
        _sockets.Add(udp);
        _sockets.Add(tcp);
        _loops.Add(UdpLoopAsync(udp));
        _loops.Add(TcpLoopAsync(tcp));
    }

    private IPEndPoint? NextUpstream() =>
        upstreams.Count == 0 ? null : upstreams[(int)((uint)Interlocked.Increment(ref _next) % (uint)upstreams.Count)];

    private async Task UdpLoopAsync(Socket listener)
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try { received = await listener.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            var query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            _ = ForwardUdpAsync(listener, query, (IPEndPoint)received.RemoteEndPoint);
        }
    }

    private async Task ForwardUdpAsync(Socket listener, byte[] query, IPEndPoint client)
    {
        if (NextUpstream() is not { } upstream) return;
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.SendToAsync(query, upstream, deadline.Token);
            var answer = new byte[65535];
            var got = await socket.ReceiveAsync(answer, deadline.Token);
            await listener.SendToAsync(answer.AsMemory(0, got), client, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Upstream silent or unreachable: the client retries or times out, as with any resolver.
        }
    }

    private async Task TcpLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await listener.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            _ = ForwardTcpAsync(client);
        }
    }

    private async Task ForwardTcpAsync(Socket client)
    {
        if (NextUpstream() is not { } upstream)
        {
            client.Dispose();
            return;
        }
        var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(upstream, deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            socket.Dispose();
            client.Dispose();
            return;
        }
        await TcpRelay.RunAsync(client, socket, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets) socket.Dispose();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
