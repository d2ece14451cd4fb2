using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy.Socks5;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Authz;
using Mesh.Protocol.Model;
using Mesh.Testing;
using static Mesh.Testing.LoopbackPairs;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Socks5;

/// <summary>
/// SOCKS5 → HBONE through real HBONE: a SOCKS5 client that is a workload of this node reaches an HBONE workload of
/// another node over the real client pool and the peer's real HBONE server and inbound pipeline; an unknown client gets
/// plain TCP. On loopback (pods are 127.N.M.x; the peer connects to its app as the client, hence root).
/// </summary>
public sealed class Socks5HboneSpec : IAsyncLifetime
{
    private readonly Func<int, IPAddress> _at = DataPath.LoopbackSubnet();
    private readonly Socket _app = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly ListLogger _log = new();
    private DataPath _node = null!;
    private DataPath _peer = null!;
    private Socks5Server _proxy = null!;
    private Workload _client = null!;
    private Workload _server = null!;

    public Task InitializeAsync()
    {
        _app.Bind(new IPEndPoint(_at(2), 0));
        _app.Listen(16);
        var options = new NodeOptions { InboundHbonePort = DataPath.FreePort(_at(2)) };
        _node = new DataPath(options, node: "node-a", dialer: new LoopbackPodDialer());
        _peer = new DataPath(options, node: "node-b");
        _client = Pod("client", _at(1).ToString(), sa: "client-sa");
        _server = Pod("server", _at(2).ToString(), node: "node-b", sa: "server-sa");
        _node.Apply([_client, _server]);
        _peer.Apply([_client, _server]);
        _peer.ServeHbone(_server);
        _proxy = new Socks5Server(new Socks5ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0) }, new AddressesOnly(),
            _node.Outbound, _node.Resolver, _log);
        _proxy.Start();
        return Task.CompletedTask;
    }

    private IPEndPoint App => (IPEndPoint)_app.LocalEndPoint!;

    private sealed class AddressesOnly : ISocks5NameResolver
    {
        public Task<IPEndPoint?> ResolveAsync(Socks5Request request, CancellationToken cancellationToken) => Task.FromResult(request.Target);
    }

    [RootFact]
    public async Task A_client_that_is_a_workload_of_this_node_reaches_an_hbone_workload_over_real_hbone()
    {
        await RoundTripAsync(from: _at(1));

        var outbound = Assert.Single(await _node.Recording.ClosedAsync(1));
        Assert.Equal((ConnectionProtocol.Hbone, null), (outbound.Record.Protocol, outbound.Failure));
        Assert.Equal((new IPEndPoint(_at(2), _node.Options.InboundHbonePort), App),
            (outbound.Record.DestinationAddress, outbound.Record.DestinationHboneAddress));
        // The peer verified the client's SVID and saw the pod's address.
        var inbound = Assert.Single(await _peer.Recording.ClosedAsync(1));
        Assert.Equal(_client.Identity, inbound.Record.SourceIdentity);
        Assert.Equal(_at(1), inbound.Record.SourceAddress?.Address);
        Assert.Equal((4L, 4L), (inbound.Sent, inbound.Received));
        Assert.Equal((1L, 1L, 1L), (_proxy.Stats.OutboundOpened, _proxy.Stats.OutboundClosed, _proxy.Stats.OutboundHbone));
    }

    [Fact]
    public async Task An_unknown_client_gets_plain_tcp_to_an_hbone_workload()
    {
        // Local mode without root: apps connect from 127.0.0.1, which is no workload.
        await RoundTripAsync(from: IPAddress.Loopback);

        var closed = Assert.Single(await _node.Recording.ClosedAsync(1));
        Assert.Equal((ConnectionProtocol.Tcp, App, null), (closed.Record.Protocol, closed.Record.DestinationAddress, closed.Failure));
        Assert.Empty(_peer.Recording.Closed);
    }

    [Fact]
    public async Task A_tunnel_the_peer_denies_is_not_allowed_by_ruleset()
    {
        _peer.Apply([_client, _server], policies: [PolicyFixtures.DenyPort("deny-app", App.Port)]);
        using var client = await ConnectFromAsync(_at(1));
        Assert.Equal(0x02, await SocksConnectAsync(client, App)); // connection not allowed by ruleset
        Assert.Equal(ResponseFlags.Deny, Assert.Single(await _node.Recording.ClosedAsync(1)).Failure?.Flags);
    }

    [RootFact]
    public async Task A_tunnel_to_an_app_that_refuses_is_connection_refused()
    {
        using var client = await ConnectFromAsync(_at(1));
        Assert.Equal(0x05, await SocksConnectAsync(client, new IPEndPoint(_at(2), DataPath.FreePort(_at(2)))));
        Assert.Equal(ResponseFlags.Connect, Assert.Single(await _node.Recording.ClosedAsync(1)).Failure?.Flags);
    }

    private async Task<Socket> ConnectFromAsync(IPAddress from)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(from, 0));
        await client.ConnectAsync(_proxy.LocalEndPoint).WaitAsync(Deadline);
        return client;
    }

    private async Task RoundTripAsync(IPAddress from)
    {
        using var client = await ConnectFromAsync(from);
        Assert.Equal(0x00, await SocksConnectAsync(client, App));
        using var app = await _app.AcceptAsync().WaitAsync(Deadline);
        await SendAllAsync(client, "ping"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal("ping"u8.ToArray(), await ReadToEndAsync(app));
        await SendAllAsync(app, "pong"u8.ToArray());
        app.Shutdown(SocketShutdown.Send);
        Assert.Equal("pong"u8.ToArray(), await ReadToEndAsync(client));
    }

    /// <summary>No-auth greeting and a CONNECT to an IPv4 address; returns the reply code.</summary>
    private static async Task<byte> SocksConnectAsync(Socket client, IPEndPoint target)
    {
        await SendAllAsync(client, new byte[] { 5, 1, 0 });
        var greeting = new byte[2];
        await client.ReceiveAsync(greeting, SocketFlags.None).WaitAsync(Deadline);
        var request = new byte[10];
        request[0] = 5; request[1] = 1; request[3] = 1;
        target.Address.GetAddressBytes().CopyTo(request, 4);
        request[8] = (byte)(target.Port >> 8);
        request[9] = (byte)target.Port;
        await SendAllAsync(client, request);
        var reply = new byte[10];
        for (var at = 0; at < reply.Length;)
        {
            var read = await client.ReceiveAsync(reply.AsMemory(at), SocketFlags.None).AsTask().WaitAsync(Deadline);
            if (read == 0) break;
            at += read;
        }
        return reply[1];
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        _app.Dispose();
        await _node.DisposeAsync();
        await _peer.DisposeAsync();
    }
}
