using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Hosting;
using Mesh.Node.Hosting;
using Mesh.Node.Proxy.Socks5;
using Mesh.Node.State;
using Mesh.Node.Tests.Hbone.Fakes;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using static Mesh.Node.Tests.Proxy.LoopbackPairs;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Socks5;

/// <summary>SOCKS5 CONNECTs take the outbound planner: HBONE when the client is a workload of this node, else plain TCP.</summary>
public sealed class Socks5HboneSpec : IAsyncLifetime
{
    private readonly Socket _app = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly NodeViewStore _store = new("node-a");
    private readonly RecordingConnector _connector = new();
    private readonly ListLogger _log = new();
    private Socks5Service _service = null!;
    private IPEndPoint _proxy = null!;

    public async Task InitializeAsync()
    {
        // 127.0.0.2 is the "server" workload (HBONE); the app listens there.
        _app.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        _app.Listen(16);
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        _service = new Socks5Service(new NodeOptions { Socks5Port = port }, _store, new NoActor(), new ForwardingLogger(_log), _connector);
        await _service.StartAsync(default);
        _proxy = new IPEndPoint(IPAddress.Loopback, port);
    }

    private IPEndPoint App => (IPEndPoint)_app.LocalEndPoint!;

    private void Mesh(params Workload[] workloads) => _store.Apply(new NodeSlice("node-a", workloads.ToValueList(), [], []), 1);

    [Fact]
    public async Task A_client_that_is_a_workload_of_this_node_reaches_an_hbone_workload_over_hbone()
    {
        Mesh(Pod("client", "127.0.0.1", sa: "client-sa"), Pod("server", "127.0.0.2", sa: "server-sa"));
        await RoundTripAsync();

        var request = Assert.Single(_connector.Requests);
        Assert.Equal("spiffe://cluster.local/ns/demo/sa/client-sa", request.Source.ToString());
        Assert.Equal(IPAddress.Loopback, request.SourceAddress);
        Assert.Equal(App, request.Target);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 15008), request.HboneEndpoint);
        Assert.Contains("protocol=hbone", await _log.WaitForAsync("connection complete socks5"));
    }

    [Fact]
    public async Task An_unknown_client_gets_plain_tcp_to_an_hbone_workload()
    {
        // Local mode without root: apps connect from 127.0.0.1, which is no workload.
        Mesh(Pod("server", "127.0.0.2", sa: "server-sa"));
        await RoundTripAsync();

        Assert.Empty(_connector.Requests);
        var line = await _log.WaitForAsync("connection complete socks5");
        Assert.Contains("protocol=tcp", line);
        Assert.Contains("source workload unknown", line);
    }

    [Fact]
    public async Task A_refused_tunnel_is_a_refused_socks_connect()
    {
        Mesh(Pod("client", "127.0.0.1"), Pod("server", "127.0.0.2"));
        _connector.RefuseWith = 503;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_proxy);
        Assert.Equal(0x05, await SocksConnectAsync(client, App)); // connection refused
        Assert.Contains("hbone failed (503)", await _log.WaitForAsync("connection complete socks5"));
    }

    private async Task RoundTripAsync()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_proxy);
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
        await _service.DisposeAsync();
        _app.Dispose();
    }

    /// <summary>The address cache is never asked: every address in these tests is in the node view.</summary>
    private sealed class NoActor : IRequiredActor<AddressCache>
    {
        public IActorRef ActorRef => ActorRefs.Nobody;
        public Task<IActorRef> GetAsync(CancellationToken cancel = default) => Task.FromResult<IActorRef>(ActorRefs.Nobody);
    }

    private sealed class ForwardingLogger(ListLogger inner) : Microsoft.Extensions.Logging.ILogger<Socks5Server>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter) => inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
