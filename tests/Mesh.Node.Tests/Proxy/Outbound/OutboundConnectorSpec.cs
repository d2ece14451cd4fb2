using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Node.Hbone;
using Mesh.Node.Proxy;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.Tests.Hbone.Fakes;
using Mesh.Node.Tests.Proxy.Socks5;
using Mesh.Protocol.Model;
using static Mesh.Node.Tests.Proxy.LoopbackPairs;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Outbound;

/// <summary>Carrying out routes: HBONE through the connector with the request ztunnel sends, plain TCP otherwise.</summary>
public sealed class OutboundConnectorSpec : IDisposable
{
    private readonly Socket _app = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<IPEndPoint> _plainConnects = [];
    private readonly ListLogger _log = new();
    private readonly Workload _client = Pod("client", "10.0.0.2", sa: "client-sa") with { WorkloadName = "client", CanonicalRevision = "v1" };
    private readonly Workload _server = Pod("server", "127.0.0.1", sa: "server-sa");
    private readonly IPEndPoint _clientAddress = At("10.0.0.2", 40000);

    public OutboundConnectorSpec()
    {
        _app.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _app.Listen(16);
    }

    private IPEndPoint AppEndPoint => (IPEndPoint)_app.LocalEndPoint!;

    private OutboundRoute HboneRoute => new(RouteKind.Hbone, AppEndPoint, _server, null, At("127.0.0.1", 15008));

    private async Task<Socket> ConnectPlainAsync(IPEndPoint target, CancellationToken ct)
    {
        lock (_plainConnects) _plainConnects.Add(target);
        return await Node.Proxy.Socks5.Socks5Server.DirectConnectAsync(target, ct);
    }

    [Fact]
    public async Task An_hbone_route_opens_a_tunnel_with_the_identities_addresses_and_headers_ztunnel_sends()
    {
        var connector = new RecordingConnector();
        var outbound = new OutboundConnector(connector, ConnectPlainAsync, _log);

        await using var upstream = await outbound.ConnectAsync(HboneRoute, new OutboundSource(_client, IPAddress.Parse("10.0.0.2")), _clientAddress, default);

        var request = Assert.Single(connector.Requests);
        Assert.Equal("spiffe://cluster.local/ns/demo/sa/client-sa", request.Source.ToString());
        Assert.Equal(IPAddress.Parse("10.0.0.2"), request.SourceAddress);
        Assert.Equal("spiffe://cluster.local/ns/demo/sa/server-sa", request.Destination.ToString());
        Assert.Equal(At("127.0.0.1", 15008), request.HboneEndpoint);
        Assert.Equal(AppEndPoint, request.Target);
        Assert.Equal(_clientAddress, request.Client);
        Assert.Equal(Baggage.For(_client), request.Baggage);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", request.TraceParent);
        Assert.Equal(TrafficProtocol.Hbone, upstream.Protocol);
        Assert.Equal(request.Destination, upstream.PeerIdentity);
        Assert.Empty(_plainConnects);
    }

    [Fact]
    public async Task The_tunnel_relays_the_client()
    {
        var outbound = new OutboundConnector(new RecordingConnector(), ConnectPlainAsync, _log);
        var (client, accepted) = await ConnectAsync();
        using var c = client;
        var upstream = await outbound.ConnectAsync(HboneRoute, new OutboundSource(_client, IPAddress.Parse("10.0.0.2")), _clientAddress, default);
        var relay = upstream.RelayAsync(accepted, default);

        using var app = await _app.AcceptAsync();
        await SendAllAsync(client, "hello"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("hello", Encoding.ASCII.GetString(await ReadToEndAsync(app)));
        await SendAllAsync(app, "world!"u8.ToArray());
        app.Shutdown(SocketShutdown.Send);
        Assert.Equal("world!", Encoding.ASCII.GetString(await ReadToEndAsync(client)));

        var result = await relay.WaitAsync(Deadline);
        Assert.Equal((RelayOutcome.Completed, 5L, 6L), (result.Outcome, result.BytesUp, result.BytesDown));
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task Without_a_connector_an_hbone_route_is_carried_as_plain_tcp_to_the_same_target()
    {
        var outbound = new OutboundConnector(null, ConnectPlainAsync, _log);
        await using var upstream = await outbound.ConnectAsync(HboneRoute, new OutboundSource(_client, IPAddress.Parse("10.0.0.2")), _clientAddress, default);
        Assert.Equal(TrafficProtocol.Tcp, upstream.Protocol);
        Assert.Equal([AppEndPoint], _plainConnects);
        Assert.Contains("no HBONE client on this node", upstream.Route);
    }

    [Fact]
    public async Task Plain_and_passthrough_routes_connect_directly()
    {
        var connector = new RecordingConnector();
        var outbound = new OutboundConnector(connector, ConnectPlainAsync, _log);
        await using (await outbound.ConnectAsync(new OutboundRoute(RouteKind.PlainTcp, AppEndPoint, _server), new(_client, IPAddress.Loopback), _clientAddress, default)) { }
        await using (await outbound.ConnectAsync(OutboundRoute.Passthrough(AppEndPoint), new(_client, IPAddress.Loopback), _clientAddress, default)) { }
        Assert.Equal([AppEndPoint, AppEndPoint], _plainConnects);
        Assert.Empty(connector.Requests);
    }

    [Fact]
    public async Task A_waypoint_route_takes_its_fallback_and_says_so_once()
    {
        var connector = new RecordingConnector();
        var outbound = new OutboundConnector(connector, ConnectPlainAsync, _log);
        var waypoint = new WaypointRef("demo", $"wp-{Guid.NewGuid():N}", "wp.demo.svc.cluster.local");
        var route = new OutboundRoute(RouteKind.Waypoint, At(Vip, 80), Service: Echo(), Waypoint: waypoint, Fallback: HboneRoute);

        for (var i = 0; i < 2; i++)
        {
            await using var upstream = await outbound.ConnectAsync(route, new(_client, IPAddress.Loopback), _clientAddress, default);
            Assert.Contains($"bypassing waypoint demo/{waypoint.Name}", upstream.Route);
        }
        Assert.Equal(2, connector.Requests.Count);
        Assert.Single(_log.Lines, l => l.Contains($"waypoint demo/{waypoint.Name}") && l.Contains("not supported yet"));
    }

    [Fact]
    public async Task No_endpoint_throws_no_route()
    {
        var outbound = new OutboundConnector(new RecordingConnector(), ConnectPlainAsync, _log);
        var e = await Assert.ThrowsAsync<NoRouteException>(() =>
            outbound.ConnectAsync(OutboundRoute.NoEndpoint(Echo()), new(_client, IPAddress.Loopback), _clientAddress, default));
        Assert.Contains("no healthy endpoint", e.Message);
    }

    [Fact]
    public async Task A_refused_tunnel_surfaces_the_peer_status()
    {
        var outbound = new OutboundConnector(new RecordingConnector { RefuseWith = 503 }, ConnectPlainAsync, _log);
        var e = await Assert.ThrowsAsync<HboneException>(() =>
            outbound.ConnectAsync(HboneRoute, new(_client, IPAddress.Loopback), _clientAddress, default));
        Assert.Equal(503, e.Status);
    }

    public void Dispose() => _app.Dispose();
}
