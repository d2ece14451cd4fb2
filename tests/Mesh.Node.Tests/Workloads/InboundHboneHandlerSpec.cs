using System.Net;
using System.Net.Sockets;
using Mesh.Node.Authz;
using Mesh.Node.Hbone;
using Mesh.Node.Hbone.Http2;
using Mesh.Node.Proxy;
using Mesh.Node.State;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Authz;
using Mesh.Node.Tests.Telemetry;
using Mesh.Node.Tests.Proxy.Socks5;
using Mesh.Node.Workloads;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;
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
    private readonly InboundEnforcement _enforcement;
    private readonly RecordingTelemetry _telemetry = new();

    public InboundHboneHandlerSpec()
    {
        _app.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _app.Listen(16);
        _store.Apply(new NodeSlice("node-a", [Pod("this-pod", "127.0.0.1"), Pod("neighbour", "127.0.0.2")], [], []), 1);
        _enforcement = new InboundEnforcement(_store, "istio-system", new ListLoggerFactory(_log));
        _handler = new InboundHboneHandler("demo/this-pod", IPAddress.Loopback, _store, _enforcement, _stats, ConnectAppAsync,
            TimeSpan.FromSeconds(5), _log, _telemetry);
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

        // The server relays the stream and the app socket; stand in for it with a plain relay (the tunnel is downstream).
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

    private void Publish(params Mesh.Protocol.Model.Authorization[] policies) =>
        _store.Apply(new NodeSlice("node-a", [Pod("this-pod", "127.0.0.1"), Pod("neighbour", "127.0.0.2")], [], policies.ToValueList()), 10 + policies.Length);

    [Fact]
    public async Task A_connect_policy_denies_is_401_naming_the_policy_and_reported_as_denied()
    {
        Publish(PolicyFixtures.DenyPort("deny-app", AppPort));
        var request = Connect($"127.0.0.1:{AppPort}");
        var admission = await _handler.AdmitAsync(request, default);
        Assert.Equal(401, admission.Status);
        Assert.Equal("denied by demo/deny-app rule 0", admission.Reason);
        Assert.Empty(_appConnects);
        Assert.Contains(_log.Lines, l => l.StartsWith("denied inbound connection pod=demo/this-pod", StringComparison.Ordinal)
            && l.Contains("src.identity=spiffe://cluster.local/ns/demo/sa/client-sa") && l.Contains("policy=demo/deny-app rule=0"));

        _handler.Completed(request, admission, null);
        var opened = Assert.Single(_telemetry.Opened);
        Assert.Equal((ConnectionDirection.Inbound, ConnectionProtocol.Hbone, ConnectionSecurityPolicy.MutualTls), (opened.Direction, opened.Protocol, opened.SecurityPolicy));
        Assert.Equal(Peer, opened.SourceIdentity);
        Assert.Equal("this-pod", opened.DestinationWorkload?.Name);
        var closed = Assert.Single(_telemetry.Closed);
        Assert.Same(opened, closed.Record);
        Assert.Equal(ResponseFlags.Deny, closed.Failure?.Flags);
    }

    [Fact]
    public async Task Telemetry_sees_an_allowed_stream_with_the_source_s_bytes_and_a_refused_app_as_connect_failure()
    {
        var request = Connect($"127.0.0.1:{AppPort}");
        var admission = await _handler.AdmitAsync(request, default);
        using var appSide = await _app.AcceptAsync().WaitAsync(Deadline);
        var (peer, stream) = await ConnectAsync();
        using var p = peer;
        var relay = TcpRelay.RunAsync(stream, admission.App!);
        await SendAllAsync(peer, "hi"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal("hi"u8.ToArray(), await ReadToEndAsync(appSide));
        await SendAllAsync(appSide, "from the app"u8.ToArray());
        appSide.Shutdown(SocketShutdown.Send);
        await ReadToEndAsync(peer);
        _handler.Completed(request, admission, await relay.WaitAsync(Deadline));
        var allowed = Assert.Single(_telemetry.Closed);
        Assert.Equal((2L, 12L, null), (allowed.Sent, allowed.Received, allowed.Failure));
        Assert.Equal(0, _enforcement.Connections.Count);

        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var refused = Connect($"127.0.0.1:{closedPort}");
        var unavailable = await _handler.AdmitAsync(refused, default);
        _handler.Completed(refused, unavailable, null);
        Assert.Equal(ResponseFlags.Connect, _telemetry.Closed[1].Failure?.Flags);
        var bad = Connect("127.0.0.3:80");
        _handler.Completed(bad, await _handler.AdmitAsync(bad, default), null);
        Assert.Equal(ResponseFlags.Connect, _telemetry.Closed[2].Failure?.Flags);
    }

    [Fact]
    public async Task A_policy_change_resets_the_denied_stream_within_a_second_and_keeps_the_other()
    {
        using var otherApp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        otherApp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        otherApp.Listen(4);
        var otherPort = ((IPEndPoint)otherApp.LocalEndPoint!).Port;

        async Task<(HboneInboundRequest Request, HboneAdmission Admission, Socket Peer, Socket App, Task<RelayResult> Relay)> OpenAsync(Socket listener, int port)
        {
            var request = Connect($"127.0.0.1:{port}");
            var admission = await _handler.AdmitAsync(request, default);
            Assert.Equal(200, admission.Status);
            var app = await listener.AcceptAsync().WaitAsync(Deadline);
            var (peer, stream) = await ConnectAsync();
            return (request, admission, peer, app, TcpRelay.RunAsync(stream, admission.App!));
        }

        var denied = await OpenAsync(_app, AppPort);
        var kept = await OpenAsync(otherApp, otherPort);
        using var deniedPeer = denied.Peer;
        using var deniedApp = denied.App;
        using var keptPeer = kept.Peer;
        using var keptApp = kept.App;

        var published = System.Diagnostics.Stopwatch.StartNew();
        Publish(PolicyFixtures.DenyPort("deny-app", AppPort));
        var result = await denied.Relay.WaitAsync(TimeSpan.FromSeconds(1));
        var closedAfter = published.Elapsed;
        Assert.True(await SeesCloseAsync(deniedPeer));
        _handler.Completed(denied.Request, denied.Admission, result);
        Assert.True(closedAfter < TimeSpan.FromSeconds(1), $"closed after {closedAfter}");
        Assert.Equal(ResponseFlags.Deny, Assert.Single(_telemetry.Closed).Failure?.Flags);
        Assert.Contains(_log.Lines, l => l.StartsWith("policy re-check closed connection pod=demo/this-pod", StringComparison.Ordinal)
            && l.Contains("policy=demo/deny-app rule=0"));

        // The other stream still carries bytes both ways.
        await SendAllAsync(keptPeer, "still here"u8.ToArray());
        var buffer = new byte[10];
        var read = 0;
        while (read < buffer.Length) read += await keptApp.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(Deadline);
        Assert.Equal("still here"u8.ToArray(), buffer);
        Assert.False(kept.Relay.IsCompleted);
        Assert.Equal(1, _enforcement.Connections.Count);
        keptPeer.Shutdown(SocketShutdown.Send);
        keptApp.Shutdown(SocketShutdown.Send);
        _handler.Completed(kept.Request, kept.Admission, await kept.Relay.WaitAsync(Deadline));
        Assert.Null(_telemetry.Closed[1].Failure);
    }

    public void Dispose()
    {
        _enforcement.Dispose();
        _app.Dispose();
    }
}
