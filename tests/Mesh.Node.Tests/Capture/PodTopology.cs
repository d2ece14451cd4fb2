using System.Net;

namespace Mesh.Node.Tests.Capture;

/// <summary>
/// Two "pod" netns (client, server), each with eth0 as one end of a veth whose other end sits on a bridge.
/// The bridge lives in a third "node" netns rather than the host's, so tests touch nothing outside their own
/// namespaces (no host firewall or br_netfilter in the path). Names and the 10.250.N.0/24 subnet are random;
/// deleting the three namespaces removes everything.
/// </summary>
internal sealed class PodTopology : IAsyncDisposable
{
    private PodTopology(string id, int subnet)
    {
        Client = $"mt-{id}-c";
        Server = $"mt-{id}-s";
        Node = $"mt-{id}-n";
        Gateway = IPAddress.Parse($"10.250.{subnet}.1");
        ClientIp = IPAddress.Parse($"10.250.{subnet}.2");
        ServerIp = IPAddress.Parse($"10.250.{subnet}.3");
    }

    public string Client { get; }
    public string Server { get; }
    public string Node { get; }
    public IPAddress Gateway { get; }
    public IPAddress ClientIp { get; }
    public IPAddress ServerIp { get; }

    public static async Task<PodTopology> CreateAsync()
    {
        var topology = new PodTopology(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8], Random.Shared.Next(0, 256));
        try
        {
            await topology.BuildAsync();
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync()
    {
        foreach (var ns in new[] { Node, Client, Server })
            await Sh.RunAsync("ip", "netns", "add", ns);
        await Sh.RunAsync("ip", "-n", Node, "link", "add", "br0", "type", "bridge");
        await Sh.RunAsync("ip", "-n", Node, "addr", "add", $"{Gateway}/24", "dev", "br0");
        await Sh.RunAsync("ip", "-n", Node, "link", "set", "br0", "up");
        foreach (var (pod, ip, port) in new[] { (Client, ClientIp, "vc"), (Server, ServerIp, "vs") })
        {
            await Sh.RunAsync("ip", "-n", Node, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", pod);
            await Sh.RunAsync("ip", "-n", Node, "link", "set", port, "master", "br0", "up");
            await Sh.RunAsync("ip", "-n", pod, "addr", "add", $"{ip}/24", "dev", "eth0");
            await Sh.RunAsync("ip", "-n", pod, "link", "set", "lo", "up");
            await Sh.RunAsync("ip", "-n", pod, "link", "set", "eth0", "up");
            await Sh.RunAsync("ip", "-n", pod, "route", "add", "default", "via", Gateway.ToString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in new[] { Client, Server, Node })
            await Sh.TryRunAsync("ip", "netns", "del", ns); // may not exist if setup failed early
    }
}
