using Mesh.Cli.Local;

namespace Mesh.Cli.Tests.Local;

public sealed class LocalSettingsPortsTests
{
    private static LocalSettings Settings(int nodes, bool netns) =>
        new("/m", nodes, "/s", LocalSettings.DefaultRemotingBase, LocalSettings.DefaultAdminBase, null, netns);

    [Fact]
    public void Node_zero_gets_istios_ports_and_later_nodes_shift_by_the_stride()
    {
        var settings = Settings(3, netns: false);

        Assert.Equal(new ZtunnelPortSet(15000, 15020, 15021), settings.ZtunnelPorts(0));
        Assert.Equal(new ZtunnelPortSet(15100, 15120, 15121), settings.ZtunnelPorts(1));
        Assert.Equal(new ZtunnelPortSet(15200, 15220, 15221), settings.ZtunnelPorts(2));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(8, false)]
    [InlineData(20, true)]
    public void Every_port_the_mesh_binds_is_distinct_and_checked(int nodes, bool netns)
    {
        var settings = Settings(nodes, netns);
        var ports = settings.Ports.ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        foreach (var node in Enumerable.Range(0, nodes))
            Assert.All(settings.ZtunnelPorts(node).All, p => Assert.Contains(p, ports));
    }
}
