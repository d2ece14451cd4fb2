using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.Telemetry;
using Mesh.Protocol.Model;
using Mesh.Testing;
using static Mesh.Testing.LoopbackPairs;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Outbound;

/// <summary>
/// The outbound pipeline's phases on loopback: plan → connect (real HBONE to another node's real HBONE server and
/// inbound pipeline, plain TCP, passthrough) → relay → one record. The captured accept and SO_ORIGINAL_DST are covered
/// by the netns specs (Workloads/); here the test's own socket is the captured client.
/// </summary>
public sealed class OutboundPipelineSpec : IAsyncLifetime
{
    private readonly Func<int, IPAddress> _at = DataPath.LoopbackSubnet();
    private readonly Socket _app = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private DataPath _client = null!;
    private DataPath _server = null!;
    private Workload _source = null!;
    private Workload _destination = null!;

    public Task InitializeAsync()
    {
        // The server pod (node-b) at .2, its app on a free port; the client pod (node-a) at .1.
        _app.Bind(new IPEndPoint(_at(2), 0));
        _app.Listen(16);
        var options = new NodeOptions { InboundHbonePort = DataPath.FreePort(_at(2)) };
        _client = new DataPath(options, node: "node-a", dialer: new LoopbackPodDialer());
        _server = new DataPath(options, node: "node-b");
        _source = Pod("client", _at(1).ToString(), sa: "client-sa") with { WorkloadName = "client", CanonicalRevision = "v1" };
        _destination = Pod("server", _at(2).ToString(), node: "node-b", sa: "server-sa");
        _client.Apply([_source, _destination]);
        _server.Apply([_source, _destination]);
        _server.ServeHbone(_destination);
        return Task.CompletedTask;
    }

    private IPEndPoint App => (IPEndPoint)_app.LocalEndPoint!;

    private IPEndPoint HbonePort => new(_at(2), _client.Options.InboundHbonePort);

    private OutboundRequest Request(IPEndPoint original, Workload? source = null, IPEndPoint? client = null) =>
        new(source ?? _source, IPAddress.Parse((source ?? _source).Addresses[0]), client ?? At(_at(1).ToString(), 40000), original, null);

    /// <summary>Connects, relays the test's socket through the opened upstream, and returns the app's side.</summary>
    private async Task<(Socket Client, Socket App, Task Relay)> RelayThroughAsync(DataPath path, OutboundConnection connection)
    {
        Assert.True(connection.Succeeded, connection.Error?.ToString());
        var (client, captured) = await ConnectAsync();
        var relay = path.Outbound.RelayAsync(captured, connection, default);
        var app = await _app.AcceptAsync().WaitAsync(Deadline);
        return (client, app, relay);
    }

    [RootFact]
    public async Task An_hbone_route_carries_the_client_through_a_real_tunnel_with_the_identities_ztunnel_sends()
    {
        var connection = await _client.Outbound.ConnectAsync(Request(App), default);
        Assert.Equal($"hbone demo/server {App} via {HbonePort}", connection.Route);
        var (client, app, relay) = await RelayThroughAsync(_client, connection);
        using (client)
        using (app)
        {
            // The app sees the client pod's address: the tunnel left from it and the peer ztunnel connects as it.
            Assert.Equal(_at(1), ((IPEndPoint)app.RemoteEndPoint!).Address);
            await SendAllAsync(client, "hello"u8.ToArray());
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal("hello", Encoding.ASCII.GetString(await ReadToEndAsync(app)));
            await SendAllAsync(app, "world!"u8.ToArray());
            app.Shutdown(SocketShutdown.Send);
            Assert.Equal("world!", Encoding.ASCII.GetString(await ReadToEndAsync(client)));
            await relay.WaitAsync(Deadline);
        }

        var outbound = Assert.Single(await _client.Recording.ClosedAsync(1));
        Assert.Equal((ConnectionDirection.Outbound, ConnectionProtocol.Hbone, ConnectionSecurityPolicy.MutualTls),
            (outbound.Record.Direction, outbound.Record.Protocol, outbound.Record.SecurityPolicy));
        Assert.Equal((HbonePort, App, App), (outbound.Record.DestinationAddress, outbound.Record.DestinationHboneAddress,
            outbound.Record.OriginalDestination));
        Assert.Equal((5L, 6L, null), (outbound.Sent, outbound.Received, outbound.Failure));

        // The far side verified the client's SVID: its record carries the identity the client sent.
        var inbound = Assert.Single(await _server.Recording.ClosedAsync(1));
        Assert.Equal(_source.Identity, inbound.Record.SourceIdentity);
        Assert.Equal((ConnectionDirection.Inbound, ConnectionProtocol.Hbone), (inbound.Record.Direction, inbound.Record.Protocol));
        Assert.Equal("client", inbound.Record.SourceWorkload?.Name);
        Assert.Equal((5L, 6L), (inbound.Sent, inbound.Received));
    }

    [Fact]
    public async Task Without_an_hbone_client_an_hbone_route_is_carried_as_plain_tcp_to_the_same_target()
    {
        await using var plainOnly = new DataPath(_client.Options, node: "node-a", hbone: false);
        plainOnly.Apply([_source, _destination]);
        var connection = await plainOnly.Outbound.ConnectAsync(Request(App), default);
        Assert.Contains("no HBONE client on this node", connection.Route);
        var (client, app, relay) = await RelayThroughAsync(plainOnly, connection);
        using (client)
        using (app)
        {
            client.Shutdown(SocketShutdown.Send);
            app.Shutdown(SocketShutdown.Send);
            await relay.WaitAsync(Deadline);
        }
        Assert.Equal(ConnectionProtocol.Tcp, Assert.Single(await plainOnly.Recording.ClosedAsync(1)).Record.Protocol);
        Assert.Empty(_server.Recording.Closed);
    }

    [Fact]
    public async Task A_passthrough_connection_is_relayed_and_closed_once_with_the_client_s_bytes()
    {
        // An address no one in the mesh has: the control plane answers "nothing there".
        var outside = new IPEndPoint(_at(3), 0);
        using var external = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        external.Bind(outside);
        external.Listen(4);
        var target = (IPEndPoint)external.LocalEndPoint!;

        var connection = await _client.Outbound.ConnectAsync(Request(target), default);
        Assert.Equal($"passthrough {target}", connection.Route);
        var (client, captured) = await ConnectAsync();
        using var c = client;
        var relay = _client.Outbound.RelayAsync(captured, connection, default);
        using var server = await external.AcceptAsync().WaitAsync(Deadline);
        await SendAllAsync(client, "abc"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("abc"u8.ToArray(), await ReadToEndAsync(server));
        server.Shutdown(SocketShutdown.Send);
        await relay.WaitAsync(Deadline);

        var closed = Assert.Single(await _client.Recording.ClosedAsync(1));
        Assert.Equal((ConnectionProtocol.Tcp, 3L, 0L, null), (closed.Record.Protocol, closed.Sent, closed.Received, closed.Failure));
    }

    [Fact]
    public async Task A_refused_plain_connect_is_a_connect_failure_carrying_the_socket_error()
    {
        var closedPort = new IPEndPoint(_at(3), DataPath.FreePort(_at(3)));
        var connection = await _client.Outbound.ConnectAsync(Request(closedPort), default);
        Assert.False(connection.Succeeded);
        Assert.IsType<SocketException>(connection.Error);
        Assert.Equal(ResponseFlags.Connect, Assert.Single(_client.Recording.Closed).Failure?.Flags);
    }

    [Fact]
    public async Task A_waypoint_route_takes_its_fallback_and_says_so_once()
    {
        var waypoint = new WaypointRef("demo", $"wp-{Guid.NewGuid():N}", "wp.demo.svc.cluster.local");
        var service = Echo(waypoint: waypoint);
        var endpoint = Endpoint("echo-1", _at(4).ToString(), TunnelProtocol.None);
        _client.Addresses.Records[Vip] = ServiceRecord(service, endpoint);
        using var echo = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        echo.Bind(new IPEndPoint(_at(4), 8080));
        echo.Listen(4);

        for (var i = 0; i < 2; i++)
        {
            var connection = await _client.Outbound.ConnectAsync(Request(At(Vip, 80)), default);
            Assert.Contains($"bypassing waypoint demo/{waypoint.Name}", connection.Route);
            _client.Outbound.Abandon(connection, "test");
        }
        Assert.Single(_client.Log.Lines, l => l.Contains($"waypoint demo/{waypoint.Name}") && l.Contains("not supported yet"));
    }

    [Fact]
    public async Task A_service_with_no_endpoint_is_no_route_naming_the_service()
    {
        _client.Addresses.Records[Vip] = ServiceRecord(Echo());
        var connection = await _client.Outbound.ConnectAsync(Request(At(Vip, 80)), default);
        var error = Assert.IsType<NoRouteException>(connection.Error);
        Assert.Contains("no healthy endpoint", error.Message);
        Assert.Equal(ResponseFlags.Connect, Assert.Single(_client.Recording.Closed).Failure?.Flags);
    }

    [RootFact]
    public async Task A_tunnel_the_peer_denies_is_401_and_reported_as_denied_and_an_unreachable_app_is_503()
    {
        _server.Apply([_source, _destination], policies: [Authz.PolicyFixtures.DenyPort("deny-app", App.Port)]);
        var denied = await _client.Outbound.ConnectAsync(Request(App), default);
        Assert.Equal(401, Assert.IsType<HboneException>(denied.Error).Status);

        var unreachable = await _client.Outbound.ConnectAsync(Request(new IPEndPoint(_at(2), DataPath.FreePort(_at(2)))), default);
        Assert.Equal(503, Assert.IsType<HboneException>(unreachable.Error).Status);

        var closes = await _client.Recording.ClosedAsync(2);
        Assert.Equal(ResponseFlags.Deny, closes[0].Failure?.Flags);
        Assert.Equal(ResponseFlags.Connect, closes[1].Failure?.Flags);
        Assert.Equal((ConnectionDirection.Outbound, ConnectionProtocol.Hbone, ConnectionSecurityPolicy.MutualTls),
            (closes[0].Record.Direction, closes[0].Record.Protocol, closes[0].Record.SecurityPolicy));
        // The peer's own record names the policy.
        Assert.Contains("denied by demo/deny-app rule 0", (await _server.Recording.ClosedAsync(1))[0].Failure?.Message);
    }

    [Fact]
    public async Task A_peer_that_never_finishes_tls_fails_with_the_pool_s_own_timeout_not_a_shorter_outer_one()
    {
        // Before: the pool (10 s) ran inside the connect phase's 5 s, so the pool's message never surfaced. Now HBONE
        // connects have one timeout, the pool's; the TCP ConnectTimeout (here far shorter) does not apply to them.
        await using var silentPeer = new DataPath(new NodeOptions { InboundHbonePort = DataPath.FreePort(_at(5)), ConnectTimeout = TimeSpan.FromMilliseconds(200) },
            node: "node-a", dialer: new LoopbackPodDialer(), hboneOptions: new HboneOptions { ConnectTimeout = TimeSpan.FromSeconds(1) });
        var mute = Pod("mute", _at(5).ToString(), node: "node-c", sa: "mute-sa");
        silentPeer.Apply([_source, mute]);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(_at(5), silentPeer.Options.InboundHbonePort));
        listener.Listen(4); // accepts TCP (the kernel does), never answers the TLS handshake

        var clock = Stopwatch.StartNew();
        var connection = await silentPeer.Outbound.ConnectAsync(Request(new IPEndPoint(_at(5), 8080)), default);
        var elapsed = clock.Elapsed;

        var error = Assert.IsType<HboneException>(connection.Error);
        Assert.Contains("timed out after 00:00:01", error.Message);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
        var failure = Assert.Single(silentPeer.Recording.Closed).Failure;
        Assert.Equal(ResponseFlags.Connect, failure?.Flags);
        Assert.Contains("timed out after 00:00:01", failure?.Message);
    }

    [Fact]
    public async Task A_lookup_the_control_plane_never_answers_fails_after_the_lookup_timeout_naming_it()
    {
        await using var path = new DataPath(new NodeOptions { LookupTimeout = TimeSpan.FromMilliseconds(300) });
        path.Apply([_source]);
        path.Addresses.Silent = true;
        var connection = await path.Outbound.ConnectAsync(Request(At("10.1.2.3", 80)), default);
        Assert.False(connection.Succeeded);
        Assert.Contains("destination lookup timed out after 0.3 s", Assert.Single(path.Recording.Closed).Failure?.Message);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }
}
