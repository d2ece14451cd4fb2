using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Echo.Tests;

public sealed class HttpEchoTests : IAsyncLifetime
{
    private static readonly EchoOptions Context = new() { Namespace = "demo", Pod = "echo-0", Service = "echo", Ingress = "gw" };
    private EchoServer _server = null!;
    private readonly HttpClient _client = new();

    public async Task InitializeAsync() => _server = await Echo.StartAsync(Context);

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Get_echoes_request_and_pod_context_like_echo_basic()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _server.Url("/some/path?b=2&a=%2F"));
        request.Headers.Add("X-Custom", ["one", "two"]);
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var echo = Echo.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("/some/path?b=2&a=%2F", echo.GetProperty("path").GetString());
        Assert.Equal(_server.HttpEndPoint.ToString(), echo.GetProperty("host").GetString());
        Assert.Equal("GET", echo.GetProperty("method").GetString());
        Assert.Equal("HTTP/1.1", echo.GetProperty("proto").GetString());
        Assert.Equal(["one, two"], echo.Header("X-Custom"));
        Assert.Empty(echo.Header("Host")); // Go keeps it in r.Host only
        Assert.Equal("demo", echo.GetProperty("namespace").GetString());
        Assert.Equal("gw", echo.GetProperty("ingress").GetString());
        Assert.Equal("echo", echo.GetProperty("service").GetString());
        Assert.Equal("echo-0", echo.GetProperty("pod").GetString());
        Assert.False(echo.TryGetProperty("tls", out _)); // omitempty on cleartext
        Assert.Equal("", echo.GetProperty("sni").GetString());
        Assert.Equal(
            ["path", "host", "method", "proto", "headers", "namespace", "ingress", "service", "pod", "sni"],
            echo.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Post_is_echoed_without_reading_the_body_into_the_response()
    {
        using var response = await _client.PostAsync(_server.Url("/submit?x=1"), new StringContent("{\"k\":1}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = Echo.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("POST", echo.GetProperty("method").GetString());
        Assert.Equal("/submit?x=1", echo.GetProperty("path").GetString());
        Assert.Equal(["application/json; charset=utf-8"], echo.Header("Content-Type"));
        Assert.Equal(["7"], echo.Header("Content-Length"));
    }

    [Fact]
    public async Task Header_names_are_canonicalised_like_go_and_repeated_lines_stay_separate()
    {
        var raw = await RawHttpAsync(
            "GET /raw//target?q=a+b HTTP/1.1\r\nHost: example.test\r\nuser-agent: raw\r\nx-MIXED-case: 1\r\nX-Mixed-Case: 2\r\nx_under: u\r\nConnection: close\r\n\r\n");

        var (head, body) = Split(raw);
        Assert.StartsWith("HTTP/1.1 200 OK", head);
        var echo = Echo.Parse(body);
        Assert.Equal("/raw//target?q=a+b", echo.GetProperty("path").GetString());
        Assert.Equal("example.test", echo.GetProperty("host").GetString());
        Assert.Equal(["raw"], echo.Header("User-Agent"));
        Assert.Equal(["1", "2"], echo.Header("X-Mixed-Case"));
        Assert.Equal(["u"], echo.Header("X_under"));
        Assert.Equal(["close"], echo.Header("Connection"));
        // Same layout as Go's json.MarshalIndent(v, "", " "): one-space indent, sorted header keys.
        Assert.StartsWith("{\n \"path\": ", body);
        var keys = echo.GetProperty("headers").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public async Task X_Echo_Set_Header_sets_response_headers_keeping_name_casing()
    {
        var raw = await RawHttpAsync(
            "GET / HTTP/1.1\r\nHost: h\r\nX-Echo-Set-Header: X-Foo: bar, x-Lower: 1\r\nX-Echo-Set-Header: X-Foo: baz,Bad Name: v\r\nConnection: close\r\n\r\n");

        var (head, _) = Split(raw);
        var lines = head.Split("\r\n");
        Assert.Contains("X-Foo: bar,baz", lines);
        Assert.Contains("x-Lower: 1", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("Bad Name", StringComparison.Ordinal));
        Assert.Contains("Content-Type: application/json", lines);
    }

    [Fact]
    public async Task Echo_set_header_cannot_override_the_json_content_type()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _server.Url("/"));
        request.Headers.Add("X-Echo-Set-Header", "Content-Type: text/plain, X-Extra: yes");
        using var response = await _client.SendAsync(request);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("yes", response.Headers.GetValues("X-Extra").Single());
    }

    [Fact]
    public async Task Delay_query_parameter_holds_the_response()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        var stopwatch = Stopwatch.StartNew();
        using var response = await _client.GetAsync(_server.Url("/slow?delay=300ms"));
        stopwatch.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(stopwatch.Elapsed >= delay, $"answered after {stopwatch.Elapsed}, expected at least {delay}");
        Assert.Equal("/slow?delay=300ms", Echo.Parse(await response.Content.ReadAsStringAsync()).GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("abc", "time: invalid duration \"abc\"")]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("2d", "time: unknown unit \"d\" in duration \"2d\"")]
    public async Task Bad_delay_is_a_400_with_the_go_parse_error(string delay, string expected)
    {
        using var response = await _client.GetAsync(_server.Url($"/?delay={Uri.EscapeDataString(delay)}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var message = Echo.Parse(await response.Content.ReadAsStringAsync()).GetProperty("message").GetString();
        Assert.Equal($"invalid delay query parameter: {expected}", message);
    }

    [Theory]
    [InlineData("/status/418", 418)]
    [InlineData("/status/503", 503)]
    [InlineData("/status/204", 204)]
    [InlineData("/status/42", 400)]
    [InlineData("/status/abc", 400)]
    [InlineData("/status/200?x=1", 400)] // upstream matches the raw target, query included
    public async Task Status_path_answers_with_that_status(string target, int expected)
    {
        using var response = await _client.GetAsync(_server.Url(target));

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Health_answers_OK()
    {
        using var response = await _client.GetAsync(_server.Url("/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task H2c_prior_knowledge_is_served_on_the_same_port()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, _server.Url("/h2?x=1"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("body"),
        };
        request.Headers.Add("x-lower", "v");
        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        var echo = Echo.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("HTTP/2.0", echo.GetProperty("proto").GetString());
        Assert.Equal("PUT", echo.GetProperty("method").GetString());
        Assert.Equal("/h2?x=1", echo.GetProperty("path").GetString());
        Assert.Equal(_server.HttpEndPoint.ToString(), echo.GetProperty("host").GetString());
        Assert.Equal(["v"], echo.Header("X-Lower"));
        Assert.Empty(echo.Header("Host"));
        Assert.DoesNotContain(echo.GetProperty("headers").EnumerateObject(), h => h.Name.StartsWith(':'));
    }

    [Fact]
    public async Task Http1_and_h2c_clients_share_the_listener_concurrently()
    {
        using var h2 = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var calls = Enumerable.Range(0, 20).Select(async i =>
        {
            var client = i % 2 == 0 ? _client : h2;
            using var response = await client.GetAsync(_server.Url($"/n/{i}"));
            return Echo.Parse(await response.Content.ReadAsStringAsync()).GetProperty("proto").GetString();
        });

        var protos = await Task.WhenAll(calls);

        Assert.Equal(10, protos.Count(p => p == "HTTP/1.1"));
        Assert.Equal(10, protos.Count(p => p == "HTTP/2.0"));
    }

    private async Task<string> RawHttpAsync(string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_server.HttpEndPoint);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(); // "Connection: close" ends the stream
    }

    private static (string Head, string Body) Split(string raw)
    {
        var end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (raw[..end], raw[(end + 4)..]);
    }
}
