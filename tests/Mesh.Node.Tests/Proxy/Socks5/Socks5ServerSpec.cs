using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Mesh.Node.Proxy.Socks5;
using Mesh.Node.Telemetry;
using Mesh.Node.Tests.Telemetry;
using static Mesh.Testing.LoopbackPairs;

namespace Mesh.Node.Tests.Proxy.Socks5;

/// <summary>
/// The SOCKS5 front door end to end: real curl through the proxy to a loopback HTTP server, and raw clients for the
/// replies curl does not show. The resolver is a dictionary standing in for the mesh's service names; connections go
/// through the node's real outbound pipeline (<see cref="DataPath"/>), whose records the specs read.
/// </summary>
public sealed class Socks5ServerSpec : IAsyncLifetime
{
    private static readonly byte[] Body = Encoding.ASCII.GetBytes("hello through the mesh\n");
    private readonly ListLogger _log = new();
    private readonly Dictionary<string, IPEndPoint> _names = new(StringComparer.Ordinal);
    private TinyHttpServer _http = null!;
    private Socks5Server _proxy = null!;
    private readonly DataPath _path = new();

    public Task InitializeAsync()
    {
        _http = new TinyHttpServer(Body);
        _names["echo.test"] = _http.EndPoint;
        _proxy = StartProxy(TimeSpan.FromSeconds(10));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        _http.Dispose();
        await _path.DisposeAsync();
    }

    private Socks5Server StartProxy(TimeSpan handshakeTimeout)
    {
        var options = new Socks5ServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), HandshakeTimeout = handshakeTimeout };
        var proxy = new Socks5Server(options, new Names(this), _path.Outbound, _path.Resolver, _log);
        proxy.Start();
        return proxy;
    }

    private sealed class Names(Socks5ServerSpec spec) : ISocks5NameResolver
    {
        public Task<IPEndPoint?> ResolveAsync(Socks5Request request, CancellationToken cancellationToken)
        {
            if (request.Target is not null) return Task.FromResult<IPEndPoint?>(request.Target);
            if (request.Hostname == "broken.test") throw new InvalidOperationException("state store unavailable");
            return Task.FromResult(spec._names.GetValueOrDefault(request.Hostname!));
        }
    }

    private async Task<RecordingTelemetry.Close> ClosedAsync() => Assert.Single(await _path.Recording.ClosedAsync(1));

    private string Proxy => $"127.0.0.1:{_proxy.LocalEndPoint.Port}";

    [Fact]
    public async Task Curl_reaches_a_mesh_name_through_socks5_hostname()
    {
        var result = await Curl.RunAsync("-sS", "--socks5-hostname", Proxy, $"http://echo.test:{_http.EndPoint.Port}/");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Encoding.ASCII.GetString(Body), result.Stdout);
        var closed = await ClosedAsync();
        Assert.Equal(_http.EndPoint, closed.Record.OriginalDestination);
        Assert.Null(closed.Failure);
        Assert.Equal(1, _proxy.Stats.OutboundOpened);
        Assert.Equal(1, _proxy.Stats.OutboundClosed);
        Assert.Equal(0, _proxy.Stats.Failed);
        Assert.True(_proxy.Stats.BytesReceived > Body.Length);
        Assert.True(_proxy.Stats.BytesSent > 0);
    }

    [Fact]
    public async Task Curl_reaches_an_address_through_socks5()
    {
        var result = await Curl.RunAsync("-sS", "--socks5", Proxy, $"http://127.0.0.1:{_http.EndPoint.Port}/");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Encoding.ASCII.GetString(Body), result.Stdout);
        var closed = await ClosedAsync();
        Assert.Equal((_http.EndPoint, _http.EndPoint), (closed.Record.OriginalDestination, closed.Record.DestinationAddress));
    }

    [Fact]
    public async Task Curl_fails_with_host_unreachable_for_an_unknown_name()
    {
        var result = await Curl.RunAsync("-sS", "--socks5-hostname", Proxy, "http://nowhere.test:80/");

        Assert.Equal(97, result.ExitCode); // CURLE_PROXY
        Assert.Contains("(4)", result.Stderr); // the SOCKS5 reply code, as curl prints it
        // No destination, so no connection record: the refusal is logged with its reason.
        Assert.Contains("refused: cannot resolve nowhere.test:80", await _log.WaitForAsync("socks5 request"));
        Assert.Empty(_path.Recording.Closed);
    }

    [Fact]
    public async Task Four_MiB_arrive_byte_exact()
    {
        var big = new byte[4 * 1024 * 1024];
        new Random(15080).NextBytes(big);
        using var http = new TinyHttpServer(big);
        _names["big.test"] = http.EndPoint;
        var file = Path.Combine(Path.GetTempPath(), $"socks5-{Guid.NewGuid():N}.bin");
        try
        {
            var result = await Curl.RunAsync("-sS", "-o", file, "--socks5-hostname", Proxy, $"http://big.test:{http.EndPoint.Port}/");

            Assert.True(result.ExitCode == 0, result.Stderr);
            var received = await File.ReadAllBytesAsync(file);
            Assert.Equal(big.Length, received.Length);
            Assert.Equal(SHA256.HashData(big), SHA256.HashData(received));
            var closed = await ClosedAsync();
            Assert.True(closed.Received > big.Length, $"{closed.Received} bytes recorded");
            Assert.True(_proxy.Stats.BytesReceived > big.Length);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_refused_connection_gets_0x05()
    {
        var closedPort = ClosedPort();
        var reply = await RawConnectAsync([5, 1, 0, 1, 127, 0, 0, 1, (byte)(closedPort >> 8), (byte)closedPort]);

        Assert.Equal((byte)Socks5Reply.ConnectionRefused, reply[1]);
        var closed = await ClosedAsync();
        Assert.Equal(ResponseFlags.Connect, closed.Failure?.Flags);
        Assert.Contains("ConnectionRefused", closed.Failure?.Message);
    }

    [Theory]
    [InlineData(SocketError.NetworkUnreachable, Socks5Reply.NetworkUnreachable)]
    [InlineData(SocketError.HostUnreachable, Socks5Reply.HostUnreachable)]
    [InlineData(SocketError.TimedOut, Socks5Reply.HostUnreachable)]
    [InlineData(SocketError.AccessDenied, Socks5Reply.NotAllowedByRuleset)]
    public void A_failed_connect_maps_to_the_socks_reply_for_its_socket_error(SocketError error, Socks5Reply reply) =>
        Assert.Equal(reply, Socks5Server.ReplyFor(new SocketException((int)error)));

    [Fact]
    public async Task A_failing_resolver_gets_0x01()
    {
        var reply = await RawConnectAsync([5, 1, 0, 3, 11, .. "broken.test"u8, 0, 80]);

        Assert.Equal((byte)Socks5Reply.GeneralFailure, reply[1]);
        Assert.Contains("resolving broken.test:80 failed: state store unavailable", await _log.WaitForAsync("socks5 request"));
    }

    [Fact]
    public async Task Success_reply_carries_the_upstream_local_address()
    {
        var port = _http.EndPoint.Port;
        using var client = await OpenAsync([5, 1, 0, 1, 127, 0, 0, 1, (byte)(port >> 8), (byte)port]);
        var reply = await ReceiveExactlyAsync(client, 10);

        Assert.Equal(new byte[] { 5, 0, 0, 1, 127, 0, 0, 1 }, reply[..8]);
        Assert.NotEqual(0, (reply[8] << 8) | reply[9]);
    }

    [Fact]
    public async Task A_client_speaking_http_to_the_socks_port_is_closed_with_a_logged_reason()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_proxy.LocalEndPoint).WaitAsync(Deadline);
        await SendAllAsync(client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        Assert.True(await SeesCloseAsync(client));
        Assert.Contains("greeting has version 0x47, not SOCKS5", await _log.WaitForAsync("socks5 handshake from"));
        Assert.Empty(_path.Recording.Closed);
    }

    [Fact]
    public async Task An_idle_client_is_closed_at_the_handshake_deadline()
    {
        await using var proxy = StartProxy(TimeSpan.FromMilliseconds(300));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(proxy.LocalEndPoint).WaitAsync(Deadline);

        Assert.True(await SeesCloseAsync(client));
        Assert.Contains("handshake not completed within 0.3s", await _log.WaitForAsync("socks5 handshake from"));
    }

    [Fact]
    public async Task Disposing_the_server_cuts_relayed_connections()
    {
        using var upstreamListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        upstreamListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        upstreamListener.Listen(1);
        var port = ((IPEndPoint)upstreamListener.LocalEndPoint!).Port;
        using var client = await OpenAsync([5, 1, 0, 1, 127, 0, 0, 1, (byte)(port >> 8), (byte)port]);
        using var upstream = await upstreamListener.AcceptAsync().WaitAsync(Deadline);
        Assert.Equal(0, (await ReceiveExactlyAsync(client, 10))[1]);

        await _proxy.DisposeAsync().AsTask().WaitAsync(Deadline);

        Assert.True(await SeesCloseAsync(client));
        var closed = await ClosedAsync();
        Assert.Contains("closed by the ztunnel", closed.Failure?.Message);
    }

    private async Task<Socket> OpenAsync(byte[] request)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(_proxy.LocalEndPoint).WaitAsync(Deadline);
        await SendAllAsync(client, new byte[] { 5, 1, 0 }.Concat(request).ToArray());
        Assert.Equal(new byte[] { 5, 0 }, await ReceiveExactlyAsync(client, 2));
        return client;
    }

    /// <summary>Greeting + request; returns the 10-byte (IPv4-form) reply.</summary>
    private async Task<byte[]> RawConnectAsync(byte[] request)
    {
        using var client = await OpenAsync(request);
        var reply = await ReceiveExactlyAsync(client, 10);
        Assert.True(await SeesCloseAsync(client));
        return reply;
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var got = 0; got < count;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None).AsTask().WaitAsync(Deadline);
            if (read == 0) throw new EndOfStreamException($"got {got} of {count} bytes");
            got += read;
        }
        return buffer;
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port; // bound, never listening: connects are refused
    }
}
