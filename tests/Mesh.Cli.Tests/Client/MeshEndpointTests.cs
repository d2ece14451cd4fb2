using Mesh.Cli.Client;

namespace Mesh.Cli.Tests.Client;

public sealed class MeshEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:9110", "127.0.0.1", 9110, "http://127.0.0.1:9110/")]
    [InlineData("localhost:1", "localhost", 1, "http://localhost:1/")]
    [InlineData("[::1]:9111", "::1", 9111, "http://[::1]:9111/")]
    public void Parses_host_and_port(string text, string host, int port, string uri)
    {
        Assert.True(MeshEndpoint.TryParse(text, out var endpoint, out _));
        Assert.Equal(new MeshEndpoint(host, port), endpoint);
        Assert.Equal(uri, endpoint.BaseUri.ToString());
        Assert.Equal(text, endpoint.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("::1:9110")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("host:port")]
    [InlineData("http://host:9110")]
    [InlineData("[::1]9110")]
    public void Rejects_anything_else(string text) =>
        Assert.False(MeshEndpoint.TryParse(text, out _, out _));
}
