using Mesh.Node.Proxy.Socks5;

namespace Mesh.Node.Tests.Proxy.Socks5;

public class MeshSocks5NamesSpec
{
    [Theory]
    [InlineData("echo.demo", "echo.demo.svc.cluster.local")]
    [InlineData("Echo.Demo.", "echo.demo.svc.cluster.local")]
    [InlineData("echo.demo.svc", "echo.demo.svc.cluster.local")]
    [InlineData("echo.demo.svc.cluster.local", "echo.demo.svc.cluster.local")]
    public void Mesh_names_are_expanded_to_the_service_fqdn(string host, string expected) =>
        Assert.Equal([expected], MeshSocks5Names.MeshNameCandidates(host));

    [Theory]
    [InlineData("echo")]
    [InlineData("www.example.org")]
    public void Other_names_are_not_mesh_names(string host) => Assert.Empty(MeshSocks5Names.MeshNameCandidates(host));
}
