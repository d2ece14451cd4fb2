using Mesh.Cli.Local.Network;

namespace Mesh.Cli.Tests.Local;

public class LocalNamesTests
{
    [Fact]
    public void Netns_names_keep_namespaces_apart()
    {
        Assert.Equal("ma_demo_client", LocalNames.Netns("demo", "client"));
        Assert.NotEqual(LocalNames.Netns("a-b", "c"), LocalNames.Netns("a", "b-c"));
    }

    [Fact]
    public void Veth_names_are_stable_and_fit_interface_names()
    {
        var uid = "Kubernetes//Pod/demo/echo-7f68b87665-gjj9f";
        Assert.Equal(LocalNames.HostVeth(uid), LocalNames.HostVeth(uid));
        Assert.Matches("^mav[0-9a-f]{8}$", LocalNames.HostVeth(uid));
        Assert.Matches("^map[0-9a-f]{8}$", LocalNames.PeerVeth(uid));
        Assert.NotEqual(LocalNames.HostVeth(uid), LocalNames.HostVeth(uid + "x"));
        Assert.True(LocalNames.Bridge(255).Length <= 15);
    }

    [Fact]
    public void Bridge_and_gateway_follow_the_pod_ip()
    {
        Assert.Equal(1, LocalNames.BridgeIndex("10.244.1.44"));
        Assert.Equal("10.244.1.1", LocalNames.Gateway("10.244.1.44"));
        Assert.Throws<FormatException>(() => LocalNames.BridgeIndex("fe80::1"));
    }
}
