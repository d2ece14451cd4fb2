using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Mesh.Node.Dns;
using Mesh.Node.Tests.Capture;

namespace Mesh.Node.Tests.Dns;

/// <summary>
/// End to end with the real <c>dig</c> against a <see cref="DnsProxy"/> on 127.0.0.1 for a pod in namespace demo,
/// whose upstream is a <see cref="FakeUpstream"/> on loopback.
/// </summary>
public sealed partial class DnsProxyDigSpec : IAsyncLifetime
{
    private readonly FakeUpstream _upstream = new();
    private DnsProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _proxy = new DnsProxy(DictionaryNames.Demo(), "demo", [_upstream.EndPoint], TimeSpan.FromSeconds(2));
        await _proxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private sealed record DigResult(string Status, string Flags, List<(string Name, string Type, string Data)> Answers, string Output);

    private async Task<DigResult> Dig(string name, string type, bool tcp = false)
    {
        string[] argv = ["dig", "@127.0.0.1", "-p", _proxy.Port.ToString(), name, type, "+tries=1", "+time=3", .. (tcp ? new[] { "+tcp" } : [])];
        var (exit, stdout, stderr) = await Sh.TryRunAsync(argv);
        Assert.True(exit == 0, $"dig exited {exit}: {stdout}{stderr}");
        var status = StatusLine().Match(stdout).Groups[1].Value;
        var flags = FlagsLine().Match(stdout).Groups[1].Value.Trim();
        var answers = AnswerLine().Matches(stdout).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToList();
        return new DigResult(status, flags, answers, stdout);
    }

    [GeneratedRegex(@"status: (\w+)")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@";; flags: ([a-z ]+);")]
    private static partial Regex FlagsLine();

    [GeneratedRegex(@"^(\S+)\s+\d+\s+IN\s+(A|AAAA|CNAME)\s+(\S+)$", RegexOptions.Multiline)]
    private static partial Regex AnswerLine();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_service_fqdn_answers_its_vip_authoritatively(bool tcp)
    {
        var dig = await Dig("echo.demo.svc.cluster.local", "A", tcp);
        Assert.Equal("NOERROR", dig.Status);
        Assert.Equal("qr aa rd ra", dig.Flags);
        Assert.Equal([("echo.demo.svc.cluster.local.", "A", "10.96.0.10")], dig.Answers);
        Assert.Matches(@"\s30\s+IN\s+A\s", dig.Output);
        Assert.Equal(0, _upstream.UdpQueries + _upstream.TcpQueries);
    }

    [Theory]
    [InlineData("echo", false)]
    [InlineData("echo.demo", false)]
    [InlineData("echo", true)]
    [InlineData("echo.demo", true)]
    public async Task Short_names_resolve_in_the_pods_namespace(string name, bool tcp)
    {
        var dig = await Dig(name, "A", tcp);
        Assert.Equal([(name + ".", "A", "10.96.0.10")], dig.Answers);
    }

    [Fact]
    public async Task A_search_list_expansion_gets_a_cname_and_the_vip()
    {
        var dig = await Dig("echo.demo.demo.svc.cluster.local", "A");
        Assert.Equal("NOERROR", dig.Status);
        Assert.Equal([("echo.demo.demo.svc.cluster.local.", "CNAME", "echo.demo."), ("echo.demo.", "A", "10.96.0.10")], dig.Answers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Aaaa_of_a_v4_only_service_is_noerror_and_empty(bool tcp)
    {
        var dig = await Dig("echo.demo.svc.cluster.local", "AAAA", tcp);
        Assert.Equal("NOERROR", dig.Status);
        Assert.Contains("aa", dig.Flags.Split(' '));
        Assert.Empty(dig.Answers);
        Assert.Equal(0, _upstream.UdpQueries + _upstream.TcpQueries);
    }

    [Theory]
    [InlineData("nope.demo.svc.cluster.local")]
    [InlineData("www.outside.test")]
    public async Task Unknown_names_are_forwarded_over_udp(string name)
    {
        var dig = await Dig(name, "A");
        Assert.Equal("NOERROR", dig.Status);
        Assert.DoesNotContain("aa", dig.Flags.Split(' '));
        Assert.Equal([(name + ".", "A", FakeUpstream.Answer.ToString())], dig.Answers);
        Assert.Equal(1, _upstream.UdpQueries);
    }

    [Fact]
    public async Task Unknown_names_are_forwarded_over_tcp_when_the_client_used_tcp()
    {
        var dig = await Dig("www.outside.test", "A", tcp: true);
        Assert.Equal([("www.outside.test.", "A", FakeUpstream.Answer.ToString())], dig.Answers);
        Assert.Equal(1, _upstream.TcpQueries);
        Assert.Equal(0, _upstream.UdpQueries);
    }

    [Fact]
    public async Task Udp_garbage_is_counted_and_the_next_query_is_still_answered()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var proxy = new IPEndPoint(IPAddress.Loopback, _proxy.Port);
        await client.SendToAsync("not dns at all"u8.ToArray(), proxy);
        await client.SendToAsync(Packets.Concat(Packets.Header(), [0xC0, 0x0C], Packets.TypeClass(1)), proxy); // self pointer
        await client.SendToAsync(Packets.Concat(Packets.Header(), [64], new byte[64], [0], Packets.TypeClass(1)), proxy);
        await client.SendToAsync(Packets.Query("echo")[..14], proxy);

        await Eventually.True(() => _proxy.MalformedQueries >= 4, "4 malformed queries counted", TimeSpan.FromSeconds(5));
        Assert.Equal(4, _proxy.MalformedQueries);

        var dig = await Dig("echo", "A");
        Assert.Equal([("echo.", "A", "10.96.0.10")], dig.Answers);
        Assert.Equal(0, _upstream.UdpQueries);
    }
}
