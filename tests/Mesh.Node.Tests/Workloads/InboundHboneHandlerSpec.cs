using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Node.Hbone.Http2;
using Mesh.Node.Proxy;
using Mesh.Node.State;
using Mesh.Node.Tests.Proxy.Socks5;
using Mesh.Node.Workloads;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;
using static Mesh.Node.Tests.Proxy.LoopbackPairs;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Workloads;

/// <summary>What a pod's 15008 does with a CONNECT, without TLS/HTTP/2: the handler alone.</summary>
public sealed class InboundHboneHandlerSpec : IDisposable
{
    private static readonly SpiffeId Peer = new("cluster.local", "demo", "client-sa");
    private readonly Socket _app = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly NodeViewStore _store = new("node-a");
    private readonly ConnectionStats _stats = new();
    private readonly ListLogger _log = new();
    private readonly List<(IPAddress Client, IPEndPoint App)> _appConnects = [];
    private readonly InboundHboneHandler _handler;

    public InboundHboneHandlerSpec()
    {
        _app.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _app.Listen(16);
        _store.Apply(new NodeSlice("node-a", [Pod("this-pod", "127.0.0.1"), Pod("neighbour", "127.0.0.2")], [], []), 1);
        _handler = new InboundHboneHandler("demo/this-pod", IPAddress.Loopback, _store, _stats, ConnectAppAsync,
            TimeSpan.FromSeconds(5), _log);
    }

    private int AppPort => ((IPEndPoint)_app.LocalEndPoint!).Port;

    private async Task<Socket> ConnectAppAsync(IPAddress client, IPEndPoint app, CancellationToken ct)
    {
        lock (_appConnects) _appConnects.Add((client, app));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(app, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static HboneInboundRequest Connect(string authority, IPEndPoint? forwarded = null) => new(
        Peer, IPEndPoint.Parse(authority), At("10.0.0.9", 51000), At("127.0.0.1", 15008), forwarded,
        [new HeaderField(":method", "CONNECT"), new HeaderField(":authority", authority)]);

    [Fact]
    public async Task An_authority_no_workload_on_this_node_has_is_a_bad_request()
    {
        var request = Connect($"127.0.0.3:{AppPort}");
        var admission = await _handler.AdmitAsync(request, default);
        Assert.Equal(400, admission.Status);
        Assert.Contains("not a workload on this node", admission.Reason);
        Assert.Empty(_appConnects);

        _handler.Completed(request, admission, null);
        Assert.Equal((1L, 1L, 1L, 0L), (_stats.InboundHboneOpened, _stats.InboundHboneClosed, _stats.Failed, _stats.InboundPlaintextOpened));
        Assert.Contains("error=\"400 authority 127.0.0.3", Assert.Single(_log.Lines));
    }

    [Fact]
    public async Task A_workload_of_another_node_is_a_bad_request()
    {
        _store.Apply(new NodeSlice("node-a", [Pod("this-pod", "127.0.0.1"), Pod("elsewhere", "127.0.0.4", node: "node-b")], [], []), 2);
        var admission = await _handler.AdmitAsync(Connect($"127.0.0.4:{AppPort}"), default);
        Assert.Equal(400, admission.Status);
    }

    [Fact]
    public async Task The_authority_of_another_pod_on_this_node_is_a_bad_request()
    {
        var admission = await _handler.AdmitAsync(Connect($"127.0.0.2:{AppPort}"), default);
        Assert.Equal(400, admission.Status);
        Assert.Contains("is demo/neighbour, not this pod", admission.Reason);
        Assert.Empty(_appConnects);
    }

    [Fact]
    public async Task An_app_that_refuses_is_503()
    {
        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var request = Connect($"127.0.0.1:{closedPort}");
        var admission = await _handler.AdmitAsync(request, default);
        Assert.Equal(503, admission.Status);
        Assert.Contains("ConnectionRefused", admission.Reason);
        Assert.Null(admission.App);
        _handler.Completed(request, admission, null);
        Assert.Equal(1, _stats.Failed);
    }

    [Fact]
    public async Task An_accepted_connect_reaches_the_app_as_the_peer_address_and_is_logged_with_the_peer_identity()
    {
        var request = Connect($"127.0.0.1:{AppPort}", forwarded: At("10.0.0.9", 51000));
        var admission = await _handler.AdmitAsync(request, default);

        Assert.Equal(200, admission.Status);
        using var appSide = await _app.AcceptAsync().WaitAsync(Deadline);
        Assert.Equal((IPAddress.Parse("10.0.0.9"), At("127.0.0.1", AppPort)), Assert.Single(_appConnects));

        // The server relays the stream and the app socket; stand in for it with a plain relay oriented as the server's
        // (Http2Stream.RelayAsync with tunnelIsDownstream: the tunnel is downstream, the app upstream).
        var (peer, stream) = await ConnectAsync();
        using var p = peer;
        var relay = TcpRelay.RunAsync(stream, admission.App!);
        await SendAllAsync(appSide, "from the app"u8.ToArray());
        appSide.Shutdown(SocketShutdown.Send);
        await SendAllAsync(peer, "hi"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal("from the app"u8.ToArray(), await ReadToEndAsync(peer));
        Assert.Equal("hi"u8.ToArray(), await ReadToEndAsync(appSide));
        var result = await relay.WaitAsync(Deadline);

        _handler.Completed(request, admission, result);
        Assert.Equal((1L, 1L, 0L), (_stats.InboundHboneOpened, _stats.InboundHboneClosed, _stats.Failed));
        Assert.Equal((12L, 2L), (_stats.BytesSent, _stats.BytesReceived));
        var line = Assert.Single(_log.Lines);
        Assert.Contains("direction=inbound protocol=hbone src.identity=spiffe://cluster.local/ns/demo/sa/client-sa src.addr=10.0.0.9:51000", line);
        Assert.Contains($"dst.addr=127.0.0.1:{AppPort} bytes_sent=12 bytes_recv=2", line);
        Assert.DoesNotContain("error=", line);
    }

    [Fact]
    public async Task An_ipv4_mapped_authority_is_this_pod()
    {
        var request = Connect($"[::ffff:127.0.0.1]:{AppPort}");
        var admission = await _handler.AdmitAsync(request, default);
        Assert.Equal(200, admission.Status);
        admission.App!.Dispose();
    }

    public void Dispose() => _app.Dispose();
}
