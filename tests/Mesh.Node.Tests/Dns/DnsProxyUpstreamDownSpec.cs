using System.Net;
using System.Net.Sockets;
using Mesh.Node.Dns;
using Mesh.Node.Tests.Capture;

namespace Mesh.Node.Tests.Dns;

public class DnsProxyUpstreamDownSpec
{
    [Fact]
    public async Task Forwarding_failure_is_servfail_while_mesh_names_still_answer()
    {
        // A port nobody listens on: the connected UDP socket gets ECONNREFUSED at once.
        int deadPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            deadPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        await using var proxy = new DnsProxy(DictionaryNames.Demo(), "demo", [new IPEndPoint(IPAddress.Loopback, deadPort)], TimeSpan.FromSeconds(2));
        await proxy.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));

        var port = proxy.Port.ToString();
        var outside = await Sh.RunAsync("dig", "@127.0.0.1", "-p", port, "www.outside.test", "A", "+tries=1", "+time=3");
        Assert.Contains("status: SERVFAIL", outside);
        var mesh = await Sh.RunAsync("dig", "@127.0.0.1", "-p", port, "echo", "A", "+tries=1", "+time=3", "+short");
        Assert.Equal("10.96.0.10", mesh.Trim());
    }
}
