using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Client;
using Mesh.Hbone.Relay;
using Mesh.Node.Hosting;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Authz;
using Mesh.Protocol.Model;
using Mesh.Testing;
using static Mesh.Testing.LoopbackPairs;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Inbound;

/// <summary>
/// What a pod's 15008 does with a CONNECT — verify (mTLS by the real HBONE server) → find the destination → authorize →
/// connect to the app as the client → relay → record — driven by the real HBONE client pool of another node, on loopback
/// (the pods are 127.N.M.x addresses; the app is reached with IP_TRANSPARENT, hence root).
/// </summary>
public sealed class InboundHbonePipelineSpec : IAsyncLifetime
{
    private readonly Func<int, IPAddress> _at = DataPath.LoopbackSubnet();
    private readonly Socket _app = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private DataPath _client = null!;
    private DataPath _node = null!;
    private Workload _source = null!;
    private Workload _pod = null!;
    private Workload _neighbour = null!;

    public Task InitializeAsync()
    {
        _app.Bind(new IPEndPoint(_at(2), 0));
        _app.Listen(16);
        var options = new NodeOptions { InboundHbonePort = DataPath.FreePort(_at(2)) };
        _client = new DataPath(options, node: "node-a", dialer: new LoopbackPodDialer());
        _node = new DataPath(options, node: "node-b");
        _source = Pod("client", _at(1).ToString(), sa: "client-sa");
        _pod = Pod("this-pod", _at(2).ToString(), node: "node-b", sa: "server-sa");
        _neighbour = Pod("neighbour", _at(3).ToString(), node: "node-b");
        _client.Apply([_source, _pod]);
        Publish();
        _node.ServeHbone(_pod);
        return Task.CompletedTask;
    }

    private int AppPort => ((IPEndPoint)_app.LocalEndPoint!).Port;

    private void Publish(params Mesh.Protocol.Model.Authorization[] policies) => _node.Apply([_source, _pod, _neighbour], policies: policies);

    /// <summary>A CONNECT to this pod's 15008 naming <paramref name="authority"/>, from the client pod.</summary>
    private ValueTask<IHboneTunnel> ConnectAsync(IPEndPoint authority) => _client.Pool!.OpenAsync(new HboneRequest(_source.Identity, _at(1),
        _pod.Identity, new IPEndPoint(_at(2), _node.Options.InboundHbonePort), authority, new IPEndPoint(_at(1), 51000)), default);

    private async Task<int?> StatusOfAsync(IPEndPoint authority)
    {
        var error = await Assert.ThrowsAsync<HboneException>(async () => await ConnectAsync(authority));
        return error.Status;
    }

    /// <summary>The tunnel's far end as a socket the test holds (a relay between a loopback pair and the stream).</summary>
    private static async Task<(Socket Peer, Task<RelayResult> Relay)> HoldAsync(IHboneTunnel tunnel)
    {
        var (peer, bridged) = await LoopbackPairs.ConnectAsync();
        return (peer, RelayPump.RunAsync(RelayEnd.Of(bridged), tunnel.End));
    }

    [Fact]
    public async Task An_authority_no_workload_on_this_node_has_is_a_bad_request_and_never_reaches_an_app()
    {
        Assert.Equal(400, await StatusOfAsync(new IPEndPoint(_at(9), AppPort)));
        var closed = Assert.Single(await _node.Recording.ClosedAsync(1));
        Assert.Contains($"400 authority {_at(9)}:{AppPort} is not a workload on this node", closed.Failure?.Message);
        Assert.Equal(ResponseFlags.Connect, closed.Failure?.Flags);
    }

    [Fact]
    public async Task A_workload_of_another_node_is_a_bad_request()
    {
        var elsewhere = Pod("elsewhere", _at(4).ToString(), node: "node-c");
        _node.Apply([_source, _pod, elsewhere]);
        Assert.Equal(400, await StatusOfAsync(new IPEndPoint(_at(4), AppPort)));
    }

    [Fact]
    public async Task The_authority_of_another_pod_on_this_node_is_a_bad_request()
    {
        Assert.Equal(400, await StatusOfAsync(new IPEndPoint(_at(3), AppPort)));
        Assert.Contains("is demo/neighbour, not this pod", (await _node.Recording.ClosedAsync(1))[0].Failure?.Message);
    }

    [RootFact]
    public async Task An_app_that_refuses_is_503_and_a_connect_failure()
    {
        Assert.Equal(503, await StatusOfAsync(new IPEndPoint(_at(2), DataPath.FreePort(_at(2)))));
        var closed = Assert.Single(await _node.Recording.ClosedAsync(1));
        Assert.Equal(ResponseFlags.Connect, closed.Failure?.Flags);
        Assert.Contains("ConnectionRefused", closed.Failure?.Message);
    }

    [RootFact]
    public async Task An_accepted_connect_reaches_the_app_as_the_client_pod_and_is_recorded_with_the_verified_identity()
    {
        await using var tunnel = await ConnectAsync(new IPEndPoint(_at(2), AppPort));
        Assert.Equal(_pod.Identity, tunnel.PeerIdentity);
        using var appSide = await _app.AcceptAsync().WaitAsync(Deadline);
        Assert.Equal(_at(1), ((IPEndPoint)appSide.RemoteEndPoint!).Address);

        var (peer, relay) = await HoldAsync(tunnel);
        using (peer)
        {
            await SendAllAsync(appSide, "from the app"u8.ToArray());
            appSide.Shutdown(SocketShutdown.Send);
            await SendAllAsync(peer, "hi"u8.ToArray());
            peer.Shutdown(SocketShutdown.Send);
            Assert.Equal("from the app"u8.ToArray(), await ReadToEndAsync(peer));
            Assert.Equal("hi"u8.ToArray(), await ReadToEndAsync(appSide));
            await relay.WaitAsync(Deadline);
        }

        var closed = Assert.Single(await _node.Recording.ClosedAsync(1));
        Assert.Equal((ConnectionDirection.Inbound, ConnectionProtocol.Hbone, ConnectionSecurityPolicy.MutualTls),
            (closed.Record.Direction, closed.Record.Protocol, closed.Record.SecurityPolicy));
        Assert.Equal(_source.Identity, closed.Record.SourceIdentity);
        Assert.Equal(_at(1), closed.Record.SourceAddress?.Address);
        Assert.Equal("this-pod", closed.Record.DestinationWorkload?.Name);
        // Sent = what the client sent (its 2 bytes), received = what it got back (the app's 12), in both directions.
        Assert.Equal((2L, 12L, null), (closed.Sent, closed.Received, closed.Failure));
        Assert.Equal(0, _node.Enforcement.Connections.Count);
    }

    [RootFact]
    public async Task An_ipv4_mapped_authority_is_this_pod()
    {
        await using var tunnel = await ConnectAsync(new IPEndPoint(_at(2).MapToIPv6(), AppPort));
        using var appSide = await _app.AcceptAsync().WaitAsync(Deadline);
        Assert.Equal(_at(1), ((IPEndPoint)appSide.RemoteEndPoint!).Address);
    }

    [Fact]
    public async Task A_connect_a_policy_denies_is_401_naming_the_policy_and_reported_as_denied()
    {
        Publish(PolicyFixtures.DenyPort("deny-app", AppPort));
        Assert.Equal(401, await StatusOfAsync(new IPEndPoint(_at(2), AppPort)));
        Assert.Contains(_node.Log.Lines, l => l.StartsWith("denied inbound connection pod=demo/this-pod", StringComparison.Ordinal)
            && l.Contains($"src.identity={_source.Identity}") && l.Contains("policy=demo/deny-app rule=0"));
        var closed = Assert.Single(await _node.Recording.ClosedAsync(1));
        Assert.Equal(ResponseFlags.Deny, closed.Failure?.Flags);
        Assert.Equal("401 denied by demo/deny-app rule 0", closed.Failure?.Message);
        Assert.Equal(_source.Identity, closed.Record.SourceIdentity);
        Assert.Equal("this-pod", closed.Record.DestinationWorkload?.Name);
    }

    [RootFact]
    public async Task Admission_does_not_wait_for_the_source_s_telemetry_labels()
    {
        // A source the node does not know, and a control plane that never answers: the labels lookup takes its whole
        // 500 ms budget. Before, admission awaited it; now the app is connected while the lookup is still out.
        var stranger = Pod("stranger", _at(6).ToString(), node: "node-z", sa: "stranger-sa");
        _client.Apply([stranger, _pod]);
        _node.Addresses.Silent = true;
        var request = new HboneRequest(stranger.Identity, _at(6), _pod.Identity, new IPEndPoint(_at(2), _node.Options.InboundHbonePort),
            new IPEndPoint(_at(2), AppPort), new IPEndPoint(_at(6), 51000));
        // Warm the pool's connection first, so the clock measures admission only.
        await using (await _client.Pool!.OpenAsync(request, default))
            (await _app.AcceptAsync().WaitAsync(Deadline)).Dispose();
        await _node.Recording.ClosedAsync(1);

        var clock = Stopwatch.StartNew();
        await using var tunnel = await _client.Pool!.OpenAsync(request, default);
        using var appSide = await _app.AcceptAsync().WaitAsync(Deadline);
        var admitted = clock.Elapsed;
        Assert.True(admitted < TimeSpan.FromMilliseconds(400), $"admitted after {admitted.TotalMilliseconds:0} ms");
    }

    [RootFact]
    public async Task A_policy_change_resets_the_denied_stream_within_a_second_and_keeps_the_other()
    {
        using var otherApp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        otherApp.Bind(new IPEndPoint(_at(2), 0));
        otherApp.Listen(4);
        var otherPort = ((IPEndPoint)otherApp.LocalEndPoint!).Port;

        async Task<(IHboneTunnel Tunnel, Socket Peer, Socket App, Task<RelayResult> Relay)> OpenAsync(Socket listener, int port)
        {
            var tunnel = await ConnectAsync(new IPEndPoint(_at(2), port));
            var app = await listener.AcceptAsync().WaitAsync(Deadline);
            var (peer, relay) = await HoldAsync(tunnel);
            return (tunnel, peer, app, relay);
        }

        var denied = await OpenAsync(_app, AppPort);
        var kept = await OpenAsync(otherApp, otherPort);
        await using var deniedTunnel = denied.Tunnel;
        await using var keptTunnel = kept.Tunnel;
        using var deniedPeer = denied.Peer;
        using var deniedApp = denied.App;
        using var keptPeer = kept.Peer;
        using var keptApp = kept.App;

        var published = Stopwatch.StartNew();
        Publish(PolicyFixtures.DenyPort("deny-app", AppPort));
        Assert.True(await SeesCloseAsync(deniedPeer));
        var closedAfter = published.Elapsed;
        Assert.True(closedAfter < TimeSpan.FromSeconds(1), $"closed after {closedAfter}");
        Assert.True(await SeesCloseAsync(deniedApp));
        var closed = await _node.Recording.ClosedAsync(c => c.Record.DestinationAddress?.Port == AppPort, "the denied stream's record");
        Assert.Equal(ResponseFlags.Deny, closed.Failure?.Flags);
        Assert.Contains(_node.Log.Lines, l => l.StartsWith("policy re-check closed connection pod=demo/this-pod", StringComparison.Ordinal)
            && l.Contains("policy=demo/deny-app rule=0"));

        // The other stream still carries bytes both ways.
        await SendAllAsync(keptPeer, "still here"u8.ToArray());
        var buffer = new byte[10];
        var read = 0;
        while (read < buffer.Length) read += await keptApp.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(Deadline);
        Assert.Equal("still here"u8.ToArray(), buffer);
        Assert.False(kept.Relay.IsCompleted);
        Assert.Equal(1, _node.Enforcement.Connections.Count);
        keptPeer.Shutdown(SocketShutdown.Send);
        keptApp.Shutdown(SocketShutdown.Send);
        await kept.Relay.WaitAsync(Deadline);
        var keptClose = await _node.Recording.ClosedAsync(c => c.Record.DestinationAddress?.Port == otherPort, "the kept stream's record");
        Assert.Null(keptClose.Failure);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _client.DisposeAsync();
        await _node.DisposeAsync();
    }
}
