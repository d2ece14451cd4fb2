using Mesh.Hbone.Relay;
using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Node.Capture;
using Mesh.Node.Proxy;
using static Mesh.Testing.LoopbackPairs;

namespace Mesh.Node.Tests.Capture;

/// <summary>
/// End-to-end capture on a real two-pod topology with <see cref="InPodRules"/> applied in both pods: what the
/// ztunnel will see (SO_ORIGINAL_DST on 15001/15006/15053) and what it can do (marked and transparent sockets).
/// </summary>
public sealed class CaptureTrafficSpec : IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];
    private readonly InPodRules _rules = new();
    private PodTopology _pods = null!;
    private NetnsSocketFactory _client = null!;
    private NetnsSocketFactory _server = null!;
    private (string Iptables, string Routing) _clientBefore, _serverBefore;

    public async Task InitializeAsync()
    {
        if (new RootFactAttribute().Skip is not null)
            return;
        _pods = await PodTopology.CreateAsync();
        _clientBefore = (await Sh.IptablesSaveAsync(_pods.Client), await Sh.RoutingAsync(_pods.Client));
        _serverBefore = (await Sh.IptablesSaveAsync(_pods.Server), await Sh.RoutingAsync(_pods.Server));
        await _rules.ApplyAsync(_pods.Client);
        await _rules.ApplyAsync(_pods.Server);
        _client = Own(NetnsSocketFactory.Open($"/var/run/netns/{_pods.Client}"));
        _server = Own(NetnsSocketFactory.Open($"/var/run/netns/{_pods.Server}"));
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
            owned.Dispose();
        if (_pods is not null)
            await _pods.DisposeAsync();
    }

    [RootFact]
    public async Task A_real_process_outbound_connection_lands_on_15001_with_its_original_destination()
    {
        var outbound = await ListenAsync(_client, IPAddress.Any, InPodRules.OutboundPort);
        var curl = Sh.TryRunAsync("ip", "netns", "exec", _pods.Client,
            "curl", "-sS", "--noproxy", "*", "--max-time", "15", $"http://{_pods.ServerIp}:8080/");

        var accept = outbound.AcceptAsync().WaitAsync(Deadline);
        if (await Task.WhenAny(accept, curl) == curl)
            Assert.Fail($"curl ended before being captured: {(await curl).Stderr}");
        using var accepted = await accept;

        Assert.Equal(new IPEndPoint(_pods.ServerIp, 8080), SocketOptionsEx.GetOriginalDestination(accepted));
        var request = await ReadHeadAsync(accepted);
        Assert.StartsWith("GET / HTTP/1.1", request);
        Assert.Contains($"Host: {_pods.ServerIp}:8080", request);
        await SendAllAsync(accepted, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\ncaptured"u8.ToArray());
        accepted.Shutdown(SocketShutdown.Send);

        var (exit, stdout, stderr) = await curl;
        Assert.True(exit == 0, $"curl exited {exit}: {stderr}");
        Assert.Equal("captured", stdout);
    }

    [RootFact]
    public async Task Marked_outbound_skips_15001_and_inbound_to_an_app_port_is_redirected_to_15006()
    {
        var outbound = await ListenAsync(_client, IPAddress.Any, InPodRules.OutboundPort);
        var inbound = await ListenAsync(_server, IPAddress.Any, InPodRules.InboundPlaintextPort);

        using var connection = await ConnectMarkedAsync(_client, new IPEndPoint(_pods.ServerIp, 8080));
        using var accepted = await inbound.AcceptAsync().WaitAsync(Deadline);

        Assert.Equal(new IPEndPoint(_pods.ServerIp, 8080), SocketOptionsEx.GetOriginalDestination(accepted));
        Assert.Equal(_pods.ClientIp, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
        Assert.Equal(InPodRules.InboundPlaintextPort, ((IPEndPoint)accepted.LocalEndPoint!).Port);
        Assert.False(outbound.Poll(0, SelectMode.SelectRead), "the marked connection must not be captured on 15001");
    }

    [RootFact]
    public async Task Inbound_to_15008_is_not_redirected()
    {
        var inbound = await ListenAsync(_server, IPAddress.Any, InPodRules.InboundPlaintextPort);
        var hbone = await ListenAsync(_server, IPAddress.Any, InPodRules.InboundHbonePort);

        using var connection = await ConnectMarkedAsync(_client, new IPEndPoint(_pods.ServerIp, InPodRules.InboundHbonePort));
        using var accepted = await hbone.AcceptAsync().WaitAsync(Deadline);

        Assert.Equal(new IPEndPoint(_pods.ServerIp, InPodRules.InboundHbonePort), accepted.LocalEndPoint);
        Assert.Equal(new IPEndPoint(_pods.ServerIp, InPodRules.InboundHbonePort), SocketOptionsEx.GetOriginalDestination(accepted));
        Assert.False(inbound.Poll(0, SelectMode.SelectRead), "15008 must not be redirected to 15006");
    }

    [RootFact]
    public async Task Inbound_handler_reaches_the_app_with_the_client_ip_as_source_and_relays_both_ways()
    {
        var inbound = await ListenAsync(_server, IPAddress.Any, InPodRules.InboundPlaintextPort);
        var app = await ListenAsync(_server, IPAddress.Any, 8080);

        using var client = await ConnectMarkedAsync(_client, new IPEndPoint(_pods.ServerIp, 8080));
        var downstream = await inbound.AcceptAsync().WaitAsync(Deadline);
        var original = SocketOptionsEx.GetOriginalDestination(downstream);
        var source = ((IPEndPoint)downstream.RemoteEndPoint!).Address;

        // What the inbound path will do: a marked, transparent socket in the pod that spoofs the client's address.
        var upstream = await _server.CreateTcpAsync(AddressFamily.InterNetwork, socket =>
        {
            SocketOptionsEx.SetMark(socket);
            SocketOptionsEx.SetTransparent(socket);
            socket.Bind(new IPEndPoint(source, 0));
        }).WaitAsync(Deadline);
        await upstream.ConnectAsync(original).WaitAsync(Deadline);
        using var appSide = await app.AcceptAsync().WaitAsync(Deadline);
        Assert.Equal(_pods.ClientIp, ((IPEndPoint)appSide.RemoteEndPoint!).Address);
        Assert.Equal(upstream.LocalEndPoint, appSide.RemoteEndPoint);

        var relay = RelayPump.RunAsync(RelayEnd.Of(downstream), RelayEnd.Of(upstream));
        await SendAllAsync(client, "ping"u8.ToArray());
        Assert.Equal("ping", await ReadExactlyAsync(appSide, 4));
        await SendAllAsync(appSide, "pong!"u8.ToArray());
        Assert.Equal("pong!", await ReadExactlyAsync(client, 5));
        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await ReadToEndAsync(appSide));
        appSide.Shutdown(SocketShutdown.Send);
        Assert.Empty(await ReadToEndAsync(client));

        var result = await relay.WaitAsync(Deadline);
        Assert.Equal(RelayOutcome.Completed, result.Outcome);
        Assert.Equal((4L, 5L), (result.BytesUp, result.BytesDown));
    }

    [RootFact]
    public async Task Without_the_fwmark_rule_a_spoofed_connection_gets_no_reply()
    {
        // Negative control for the test above: the app's SYN-ACK to the client IP leaves via eth0 instead of lo.
        await Sh.RunAsync("ip", "-n", _pods.Server, "rule", "del", "fwmark", "0x111/0xfff", "pref", "32764", "lookup", "100");
        await ListenAsync(_server, IPAddress.Any, 8080);
        var upstream = Own(await _server.CreateTcpAsync(AddressFamily.InterNetwork, socket =>
        {
            SocketOptionsEx.SetMark(socket);
            SocketOptionsEx.SetTransparent(socket);
            socket.Bind(new IPEndPoint(_pods.ClientIp, 0));
        }).WaitAsync(Deadline));

        await Assert.ThrowsAsync<TimeoutException>(() => upstream.ConnectAsync(new IPEndPoint(_pods.ServerIp, 8080)).WaitAsync(TimeSpan.FromSeconds(3)));
    }

    [RootFact]
    public async Task Dns_is_captured_on_15053_except_the_ztunnels_own()
    {
        var dnsProxy = Own(await _client.BindUdpAsync(new IPEndPoint(IPAddress.Loopback, InPodRules.DnsPort)).WaitAsync(Deadline));
        var resolver = Own(await _server.BindUdpAsync(new IPEndPoint(IPAddress.Any, 53)).WaitAsync(Deadline));
        var buffer = new byte[512];

        var appSocket = Own(await _client.CreateUdpAsync(AddressFamily.InterNetwork).WaitAsync(Deadline));
        await appSocket.SendToAsync("query"u8.ToArray(), new IPEndPoint(_pods.ServerIp, 53)).WaitAsync(Deadline);
        var query = await dnsProxy.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Deadline);
        Assert.Equal("query", Encoding.ASCII.GetString(buffer, 0, query.ReceivedBytes));

        // The answer goes back through conntrack, so the app sees it come from the resolver it asked.
        await dnsProxy.SendToAsync("answer"u8.ToArray(), query.RemoteEndPoint).WaitAsync(Deadline);
        var answer = await appSocket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Deadline);
        Assert.Equal("answer", Encoding.ASCII.GetString(buffer, 0, answer.ReceivedBytes));
        Assert.Equal(new IPEndPoint(_pods.ServerIp, 53), answer.RemoteEndPoint);

        var forwarder = Own(await _client.CreateUdpAsync(AddressFamily.InterNetwork, s => SocketOptionsEx.SetMark(s)).WaitAsync(Deadline));
        await forwarder.SendToAsync("forwarded"u8.ToArray(), new IPEndPoint(_pods.ServerIp, 53)).WaitAsync(Deadline);
        var forwarded = await resolver.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Deadline);
        Assert.Equal("forwarded", Encoding.ASCII.GetString(buffer, 0, forwarded.ReceivedBytes));
        Assert.Equal(_pods.ClientIp, ((IPEndPoint)forwarded.RemoteEndPoint).Address);
        Assert.Equal(0, dnsProxy.Available);
    }

    [RootFact]
    public async Task Remove_after_traffic_restores_both_pods_and_ends_capture()
    {
        var inbound = await ListenAsync(_server, IPAddress.Any, InPodRules.InboundPlaintextPort);
        using (await ConnectMarkedAsync(_client, new IPEndPoint(_pods.ServerIp, 8080)))
        using (await inbound.AcceptAsync().WaitAsync(Deadline))
        {
        }

        await _rules.RemoveAsync(_pods.Client);
        await _rules.RemoveAsync(_pods.Server);

        Assert.Equal(_clientBefore, (await Sh.IptablesSaveAsync(_pods.Client), await Sh.RoutingAsync(_pods.Client)));
        Assert.Equal(_serverBefore, (await Sh.IptablesSaveAsync(_pods.Server), await Sh.RoutingAsync(_pods.Server)));

        // Uncaptured now: a plain connection from the client reaches the app port directly.
        var app = await ListenAsync(_server, IPAddress.Any, 8080);
        using var plain = Own(await _client.CreateTcpAsync(AddressFamily.InterNetwork).WaitAsync(Deadline));
        await plain.ConnectAsync(new IPEndPoint(_pods.ServerIp, 8080)).WaitAsync(Deadline);
        using var accepted = await app.AcceptAsync().WaitAsync(Deadline);
        Assert.Equal(plain.LocalEndPoint, accepted.RemoteEndPoint);
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private async Task<Socket> ListenAsync(NetnsSocketFactory factory, IPAddress address, int port) =>
        Own(await factory.ListenAsync(new IPEndPoint(address, port)).WaitAsync(Deadline));

    private async Task<Socket> ConnectMarkedAsync(NetnsSocketFactory factory, IPEndPoint destination)
    {
        var socket = Own(await factory.CreateTcpAsync(AddressFamily.InterNetwork, s => SocketOptionsEx.SetMark(s)).WaitAsync(Deadline));
        await socket.ConnectAsync(destination).WaitAsync(Deadline);
        return socket;
    }

    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Deadline);
            if (read == 0)
                break;
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return head.ToString();
    }

    private static async Task<string> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(Deadline);
            Assert.NotEqual(0, n);
            read += n;
        }
        return Encoding.ASCII.GetString(buffer);
    }
}
