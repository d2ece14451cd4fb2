using System.Net;
using System.Net.Sockets;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Hbone.Fakes;
using Mesh.Node.Tests.Proxy.Socks5;
using Mesh.Node.Tests.Telemetry;
using static Mesh.Node.Tests.Proxy.LoopbackPairs;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Outbound;

/// <summary>What the outbound connector (15001 and SOCKS5 alike) reports: the route taken, and how a connect failed.</summary>
public sealed class OutboundTelemetrySpec : IDisposable
{
    private readonly Socket _app = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly RecordingTelemetry _telemetry = new();
    private readonly RecordingConnector _hbone = new();
    private readonly OutboundSource _source = new(Pod("client", "10.0.0.2", sa: "client-sa"), IPAddress.Parse("10.0.0.2"));
    private readonly IPEndPoint _client = At("10.0.0.2", 40000);

    public OutboundTelemetrySpec()
    {
        _app.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _app.Listen(4);
    }

    private IPEndPoint AppEndPoint => (IPEndPoint)_app.LocalEndPoint!;

    private OutboundConnector Connector() =>
        new(_hbone, Node.Proxy.Socks5.Socks5Server.DirectConnectAsync, new ListLogger(), _telemetry);

    private OutboundRoute HboneRoute => new(RouteKind.Hbone, AppEndPoint, Pod("server", "127.0.0.1", sa: "server-sa"), null, At("127.0.0.1", 15008));

    [Fact]
    public async Task An_hbone_401_is_reported_as_denied_and_a_503_as_connect_failure()
    {
        _hbone.RefuseWith = 401;
        await Assert.ThrowsAsync<Node.Hbone.HboneException>(() => Connector().ConnectAsync(HboneRoute, _source, _client, default, At("10.96.0.10", 80)));
        _hbone.RefuseWith = 503;
        await Assert.ThrowsAsync<Node.Hbone.HboneException>(() => Connector().ConnectAsync(HboneRoute, _source, _client, default));

        Assert.Equal(2, _telemetry.Opened.Count);
        var denied = _telemetry.Closed[0];
        Assert.Equal((ConnectionDirection.Outbound, ConnectionProtocol.Hbone, ConnectionSecurityPolicy.MutualTls),
            (denied.Record.Direction, denied.Record.Protocol, denied.Record.SecurityPolicy));
        Assert.Equal((At("127.0.0.1", 15008), AppEndPoint, At("10.96.0.10", 80)),
            (denied.Record.DestinationAddress, denied.Record.DestinationHboneAddress, denied.Record.OriginalDestination));
        Assert.Equal(ResponseFlags.Deny, denied.Failure?.Flags);
        Assert.Equal(ResponseFlags.Connect, _telemetry.Closed[1].Failure?.Flags);
    }

    [Fact]
    public async Task A_relayed_plain_connection_is_closed_once_with_the_client_s_bytes()
    {
        var route = new OutboundRoute(RouteKind.Passthrough, AppEndPoint);
        await using var upstream = await Connector().ConnectAsync(route, _source, _client, default);
        var (app, client) = await ConnectAsync();
        using var appSide = app;
        var accept = _app.AcceptAsync();
        var relay = upstream.RelayAsync(client, default);
        using var server = await accept.WaitAsync(Deadline);
        await SendAllAsync(appSide, "abc"u8.ToArray());
        appSide.Shutdown(SocketShutdown.Send);
        Assert.Equal("abc"u8.ToArray(), await ReadToEndAsync(server));
        server.Shutdown(SocketShutdown.Send);
        await relay.WaitAsync(Deadline);
        await upstream.DisposeAsync();

        var closed = Assert.Single(_telemetry.Closed);
        Assert.Equal((ConnectionProtocol.Tcp, 3L, 0L, null), (closed.Record.Protocol, closed.Sent, closed.Received, closed.Failure));
    }

    [Fact]
    public async Task A_refused_plain_connect_is_a_connect_failure()
    {
        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        await Assert.ThrowsAsync<SocketException>(() =>
            Connector().ConnectAsync(OutboundRoute.Passthrough(At("127.0.0.1", closedPort)), _source, _client, default));
        Assert.Equal(ResponseFlags.Connect, Assert.Single(_telemetry.Closed).Failure?.Flags);
    }

    public void Dispose() => _app.Dispose();
}
