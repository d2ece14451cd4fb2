using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Node.Proxy.Socks5;
using static Mesh.Testing.LoopbackPairs;

namespace Mesh.Node.Tests.Proxy.Socks5;

/// <summary>The server side of RFC 1928 fed hand-built bytes over a real loopback connection.</summary>
public sealed class Socks5HandshakeSpec : IAsyncLifetime
{
    private static readonly byte[] Greeting = [5, 1, 0];
    private Socket _client = null!, _server = null!;
    private NetworkStream _stream = null!;

    public async Task InitializeAsync()
    {
        (_client, _server) = await ConnectAsync();
        _stream = new NetworkStream(_server, ownsSocket: true);
    }

    public Task DisposeAsync()
    {
        _stream.Dispose();
        _client.Dispose();
        return Task.CompletedTask;
    }

    private Task<Socks5Request> Handshake(TimeSpan? deadline = null) =>
        Socks5Handshake.ReadRequestAsync(_stream, deadline ?? TimeSpan.FromSeconds(10), CancellationToken.None).WaitAsync(Deadline);

    private async Task<byte[]> Receive(int count)
    {
        var buffer = new byte[count];
        for (var got = 0; got < count;)
        {
            var read = await _client.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None).AsTask().WaitAsync(Deadline);
            if (read == 0) throw new EndOfStreamException($"got {got} of {count} bytes");
            got += read;
        }
        return buffer;
    }

    /// <summary>Sends greeting + request, runs the handshake, checks the method reply.</summary>
    private async Task<Socks5Request> Accept(params byte[] request)
    {
        var handshake = Handshake();
        await SendAllAsync(_client, Greeting.Concat(request).ToArray());
        Assert.Equal(new byte[] { 5, 0 }, await Receive(2));
        return await handshake;
    }

    /// <summary>Sends greeting + request and expects the handshake to reply <paramref name="code"/> and give up.</summary>
    private async Task<Socks5HandshakeException> Rejects(Socks5Reply code, params byte[] request)
    {
        var handshake = Handshake();
        await SendAllAsync(_client, Greeting.Concat(request).ToArray());
        Assert.Equal(new byte[] { 5, 0 }, await Receive(2));
        var error = await Assert.ThrowsAsync<Socks5HandshakeException>(() => handshake);
        Assert.True(error.ReplySent);
        Assert.Equal(new byte[] { 5, (byte)code, 0, 1, 0, 0, 0, 0, 0, 0 }, await Receive(10));
        return error;
    }

    private static byte[] Domain(string name, int port) =>
        [5, 1, 0, 3, (byte)Encoding.ASCII.GetByteCount(name), .. Encoding.ASCII.GetBytes(name), (byte)(port >> 8), (byte)port];

    [Fact]
    public async Task Connect_to_an_IPv4_address()
    {
        var request = await Accept(5, 1, 0, 1, 10, 1, 2, 3, 0x1F, 0x90);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 8080), request.Target);
        Assert.Null(request.Hostname);
        Assert.Equal(8080, request.Port);
    }

    [Fact]
    public async Task Connect_to_an_IPv6_address()
    {
        var request = await Accept([5, 1, 0, 4, .. IPAddress.Parse("fd00::1:2").GetAddressBytes(), 0x01, 0xBB]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00::1:2"), 443), request.Target);
    }

    [Fact]
    public async Task Connect_to_a_domain_name_normalised_to_lower_case_without_the_trailing_dot()
    {
        var request = await Accept(Domain("Reviews.Bookinfo.svc.cluster.local.", 9080));
        Assert.Null(request.Target);
        Assert.Equal("reviews.bookinfo.svc.cluster.local", request.Hostname);
        Assert.Equal(9080, request.Port);
        Assert.Equal("reviews.bookinfo.svc.cluster.local:9080", request.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("[fd00::5]", "fd00::5")]
    public async Task An_address_sent_as_a_domain_name_is_an_address(string sent, string address)
    {
        var request = await Accept(Domain(sent, 80));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), 80), request.Target);
    }

    [Fact]
    public async Task A_greeting_offering_several_methods_including_no_auth_is_accepted()
    {
        var handshake = Handshake();
        await SendAllAsync(_client, new byte[] { 5, 3, 2, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 });
        Assert.Equal(new byte[] { 5, 0 }, await Receive(2));
        Assert.Equal(80, (await handshake).Port);
    }

    [Fact]
    public async Task Bytes_pipelined_after_the_request_are_left_for_the_relay()
    {
        var handshake = Handshake();
        await SendAllAsync(_client, Greeting.Concat(new byte[] { 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 }).Concat("GET"u8.ToArray()).ToArray());
        await handshake;
        var rest = new byte[3];
        await _stream.ReadExactlyAsync(rest).AsTask().WaitAsync(Deadline);
        Assert.Equal("GET"u8.ToArray(), rest);
    }

    [Fact]
    public async Task Only_username_password_offered_gets_0xFF_and_is_closed()
    {
        var handshake = Handshake();
        await SendAllAsync(_client, new byte[] { 5, 1, 2 });
        var error = await Assert.ThrowsAsync<Socks5HandshakeException>(() => handshake);
        Assert.Equal(new byte[] { 5, 0xFF }, await Receive(2));
        Assert.True(error.ReplySent);
        Assert.Contains("no acceptable authentication method (offered 0x02)", error.Message);
    }

    [Fact]
    public async Task No_methods_at_all_gets_0xFF()
    {
        var handshake = Handshake();
        await SendAllAsync(_client, new byte[] { 5, 0 });
        var error = await Assert.ThrowsAsync<Socks5HandshakeException>(() => handshake);
        Assert.Equal(new byte[] { 5, 0xFF }, await Receive(2));
        Assert.Contains("offered none", error.Message);
    }

    [Theory]
    [InlineData(2, "BIND")]
    [InlineData(3, "UDP ASSOCIATE")]
    [InlineData(9, "0x09")]
    public async Task Commands_other_than_connect_get_0x07(byte command, string name)
    {
        var error = await Rejects(Socks5Reply.CommandNotSupported, 5, command, 0, 1, 127, 0, 0, 1, 0, 80);
        Assert.Equal($"command {name} not supported", error.Message);
    }

    [Fact]
    public async Task An_unknown_address_type_gets_0x08()
    {
        var error = await Rejects(Socks5Reply.AddressTypeNotSupported, 5, 1, 0, 5, 1, 2, 3, 4, 0, 80);
        Assert.Contains("address type 0x05", error.Message);
    }

    [Theory]
    [InlineData("has space.test")]
    [InlineData("-leading.test")]
    [InlineData("trailing-.test")]
    [InlineData("double..dot")]
    [InlineData("ünïcode.test")]
    public async Task An_invalid_domain_name_gets_0x01(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var error = await Rejects(Socks5Reply.GeneralFailure, [5, 1, 0, 3, (byte)bytes.Length, .. bytes, 0, 80]);
        Assert.StartsWith("invalid domain name", error.Message);
    }

    [Fact]
    public async Task An_oversize_domain_name_gets_0x01()
    {
        // 255 bytes fits the length byte but not DNS (253 characters at most).
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..255];
        Assert.Equal(255, name.Length);
        var error = await Rejects(Socks5Reply.GeneralFailure, Domain(name, 80));
        Assert.StartsWith("invalid domain name", error.Message);
    }

    [Fact]
    public async Task A_label_longer_than_63_gets_0x01() =>
        await Rejects(Socks5Reply.GeneralFailure, Domain(new string('a', 64) + ".test", 80));

    [Fact]
    public async Task An_empty_domain_name_gets_0x01()
    {
        var error = await Rejects(Socks5Reply.GeneralFailure, 5, 1, 0, 3, 0, 0, 80);
        Assert.Equal("empty domain name", error.Message);
    }

    [Fact]
    public async Task Port_zero_gets_0x01() =>
        await Rejects(Socks5Reply.GeneralFailure, 5, 1, 0, 1, 127, 0, 0, 1, 0, 0);

    [Fact]
    public async Task A_nonzero_reserved_byte_gets_0x01() =>
        await Rejects(Socks5Reply.GeneralFailure, 5, 1, 7, 1, 127, 0, 0, 1, 0, 80);

    [Fact]
    public async Task A_socks4_greeting_is_closed_without_a_reply()
    {
        var handshake = Handshake();
        await SendAllAsync(_client, new byte[] { 4, 1, 0, 80, 127, 0, 0, 1, 0 });
        var error = await Assert.ThrowsAsync<Socks5HandshakeException>(() => handshake);
        Assert.False(error.ReplySent);
        Assert.Equal("greeting has version 0x04, not SOCKS5", error.Message);
    }

    [Fact]
    public async Task A_request_with_the_wrong_version_is_closed_without_a_reply()
    {
        var handshake = Handshake();
        await SendAllAsync(_client, Greeting.Concat(new byte[] { 4, 1, 0, 1, 127, 0, 0, 1, 0, 80 }).ToArray());
        Assert.Equal(new byte[] { 5, 0 }, await Receive(2));
        var error = await Assert.ThrowsAsync<Socks5HandshakeException>(() => handshake);
        Assert.Equal("request has version 0x04, not SOCKS5", error.Message);
    }

    public static TheoryData<byte[]> Truncations => new()
    {
        new byte[] { 5 },
        new byte[] { 5, 2, 0 },
        new byte[] { 5, 1, 0, 5, 1, 0 },
        new byte[] { 5, 1, 0, 5, 1, 0, 1, 127, 0, 0 },
        new byte[] { 5, 1, 0, 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 },
        new byte[] { 5, 1, 0, 5, 1, 0, 3, 20, (byte)'a', (byte)'b' },
        new byte[] { 5, 1, 0, 5, 1, 0, 3 },
    };

    [Theory]
    [MemberData(nameof(Truncations))]
    public async Task Truncated_input_is_reported_not_thrown_raw(byte[] bytes)
    {
        var handshake = Handshake();
        await SendAllAsync(_client, bytes);
        _client.Shutdown(SocketShutdown.Send);
        var error = await Assert.ThrowsAsync<Socks5HandshakeException>(() => handshake);
        Assert.Equal("truncated: client closed the connection mid-handshake", error.Message);
    }

    [Fact]
    public async Task An_idle_client_is_given_up_on_at_the_deadline()
    {
        var handshake = Handshake(TimeSpan.FromMilliseconds(200));
        await SendAllAsync(_client, new byte[] { 5, 1 }); // and then nothing
        var error = await Assert.ThrowsAsync<Socks5HandshakeException>(() => handshake);
        Assert.Equal("handshake not completed within 0.2s", error.Message);
    }

    [Fact]
    public async Task The_callers_token_cancels_rather_than_reporting_a_deadline()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var handshake = Socks5Handshake.ReadRequestAsync(_stream, TimeSpan.FromSeconds(10), stop.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handshake.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Success_reply_carries_an_IPv4_bound_address()
    {
        await Socks5Handshake.SendReplyAsync(_stream, Socks5Reply.Succeeded, new IPEndPoint(IPAddress.Parse("10.0.0.7"), 40000), CancellationToken.None);
        Assert.Equal(new byte[] { 5, 0, 0, 1, 10, 0, 0, 7, 0x9C, 0x40 }, await Receive(10));
    }

    [Fact]
    public async Task Success_reply_carries_an_IPv6_bound_address_and_unmaps_v4_mapped_ones()
    {
        await Socks5Handshake.SendReplyAsync(_stream, Socks5Reply.Succeeded, new IPEndPoint(IPAddress.IPv6Loopback, 1), CancellationToken.None);
        Assert.Equal(new byte[] { 5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 }, await Receive(22));
        await Socks5Handshake.SendReplyAsync(_stream, Socks5Reply.Succeeded, new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.7"), 2), CancellationToken.None);
        Assert.Equal(new byte[] { 5, 0, 0, 1, 10, 0, 0, 7, 0, 2 }, await Receive(10));
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, Socks5Reply.ConnectionRefused)]
    [InlineData(SocketError.NetworkUnreachable, Socks5Reply.NetworkUnreachable)]
    [InlineData(SocketError.HostUnreachable, Socks5Reply.HostUnreachable)]
    [InlineData(SocketError.TimedOut, Socks5Reply.HostUnreachable)]
    [InlineData(SocketError.ConnectionReset, Socks5Reply.GeneralFailure)]
    public void Connect_errors_map_to_reply_codes(SocketError error, Socks5Reply reply) =>
        Assert.Equal(reply, Socks5Server.ReplyFor(error));
}
