using System.Globalization;

namespace Mesh.Cli.Local;

/// <summary>
/// What <c>local up</c> was asked for; passed to the detached supervisor as its command line. Member i of N nodes
/// uses remoting <c>RemotingBase + 1 + i</c> and command endpoint <c>AdminBase + 1 + i</c>; the control uses the bases.
/// </summary>
public sealed record LocalSettings(
    string Manifests,
    int Nodes,
    string StateDir,
    int RemotingBase,
    int AdminBase,
    string? BinDir,
    bool NetworkNamespaces)
{
    public const int DefaultRemotingBase = 4053;
    public const int DefaultAdminBase = 9110;
    public const int DefaultSocksBase = 15080;
    public const int DefaultZtunnelBase = 15000;

    /// <summary>Node i's ztunnel ports are ZtunnelBase + ZtunnelStride·i plus Istio's offsets (admin +0, stats +20, readiness +21).</summary>
    public const int ZtunnelStride = 100;

    /// <summary>Base of the nodes' admin/stats/readiness ports; node 0 gets Istio's 15000/15020/15021.</summary>
    public int ZtunnelBase { get; init; } = DefaultZtunnelBase;

    /// <summary>Node i's ztunnel ports (all bound to loopback in local mode).</summary>
    public ZtunnelPortSet ZtunnelPorts(int node)
    {
        var start = ZtunnelBase + ZtunnelStride * node;
        return new ZtunnelPortSet(start, start + 20, start + 21);
    }

    /// <summary>Without root (no capture), node i's ztunnel serves SOCKS5 on 127.0.0.1:SocksBase + i.</summary>
    public int SocksBase { get; init; } = DefaultSocksBase;
    /// <summary>Pod network of non-root mode: loopback, so pods can bind their own address without a netns.</summary>
    public const string LoopbackPodPrefix = "127.10";

    public LocalLayout Layout => new(StateDir);

    public IReadOnlyList<string> NodeNames =>
        Enumerable.Range(0, Nodes).Select(i => "node-" + i.ToString(CultureInfo.InvariantCulture)).ToList();

    public int ControlAdminPort => AdminBase;

    public IEnumerable<int> Ports =>
        Enumerable.Range(0, Nodes + 1).SelectMany(i => new[] { RemotingBase + i, AdminBase + i })
            .Concat(NetworkNamespaces ? [] : Enumerable.Range(0, Nodes).Select(i => SocksBase + i))
            .Concat(Enumerable.Range(0, Nodes).SelectMany(i => ZtunnelPorts(i).All));
}

/// <summary>A node's ztunnel admin (15000), stats (15020) and readiness (15021) ports.</summary>
public sealed record ZtunnelPortSet(int Admin, int Stats, int Readiness)
{
    public IEnumerable<int> All => [Admin, Stats, Readiness];

    public override string ToString() => $"admin {Admin}, stats {Stats}, ready {Readiness}";
}
