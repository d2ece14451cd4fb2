using Mesh.Node.Hosting;
using Microsoft.Extensions.Configuration;

namespace Mesh.Node.Tests.Hosting;

public class NodeOptionsBindingSpec
{
    [Fact]
    public void Hbone_settings_bind_from_mesh_node_hbone()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:Node:Hbone:MaxStreamsPerConnection"] = "50",
            ["Mesh:Node:Hbone:IdleTimeout"] = "00:00:30",
            ["Mesh:Node:Hbone:StreamWindowSize"] = "1048576",
            ["Mesh:Node:Hbone:ConnectTimeout"] = "00:00:03",
            ["Mesh:Node:CertificateTimeout"] = "00:00:07",
        }).Build();
        var options = new NodeOptions();
        configuration.GetSection(NodeOptions.Section).Bind(options);

        Assert.Equal(50, options.Hbone.MaxStreamsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Hbone.IdleTimeout);
        Assert.Equal(1048576, options.Hbone.StreamWindowSize);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Hbone.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), options.CertificateTimeout);
        // Untouched keys keep ztunnel's defaults.
        Assert.Equal(16 * 1024 * 1024, options.Hbone.ConnectionWindowSize);
    }
}
