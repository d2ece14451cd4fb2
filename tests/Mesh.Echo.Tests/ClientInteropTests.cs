namespace Mesh.Echo.Tests;

/// <summary>Real clients as processes: the point is wire compatibility, not HttpClient's view of it.</summary>
public sealed class ClientInteropTests : IAsyncLifetime
{
    private EchoServer _server = null!;

    public async Task InitializeAsync() => _server = await Echo.StartAsync(new EchoOptions { Pod = "p" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [ToolFact("curl")]
    public async Task Curl_http1()
    {
        var (exit, stdout, stderr) = await Tools.RunAsync("curl", "-s", "--http1.1", "-H", "X-Echo-Set-Header: X-From: curl", "-D", "-", _server.Url("/curl?a=1").ToString());

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 200", stdout);
        Assert.Contains("X-From: curl", stdout);
        var echo = Echo.Parse(stdout[stdout.IndexOf('{')..]);
        Assert.Equal("HTTP/1.1", echo.GetProperty("proto").GetString());
        Assert.Equal("/curl?a=1", echo.GetProperty("path").GetString());
        Assert.StartsWith("curl/", echo.Header("User-Agent").Single());
    }

    [ToolFact("curl")]
    public async Task Curl_http2_prior_knowledge()
    {
        var (exit, stdout, stderr) = await Tools.RunAsync("curl", "-s", "--http2-prior-knowledge", "-D", "-", _server.Url("/h2c").ToString());

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/2 200", stdout);
        var echo = Echo.Parse(stdout[stdout.IndexOf('{')..]);
        Assert.Equal("HTTP/2.0", echo.GetProperty("proto").GetString());
        Assert.Equal("/h2c", echo.GetProperty("path").GetString());
    }

    [ToolFact("nghttp")]
    public async Task Nghttp_prior_knowledge()
    {
        var (exit, stdout, stderr) = await Tools.RunAsync("nghttp", "-v", _server.Url("/ng?x=y").ToString());

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains(":status: 200", stdout);
        Assert.Contains("\"proto\": \"HTTP/2.0\"", stdout);
        Assert.Contains("\"path\": \"/ng?x=y\"", stdout);
        Assert.DoesNotContain("[ERROR]", stdout);
    }
}
