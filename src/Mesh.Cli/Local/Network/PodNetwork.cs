using Mesh.Protocol.Local;

namespace Mesh.Cli.Local.Network;

/// <summary>
/// Creates the host side of local mode as root: node bridges, forwarding, and per pod a netns with a veth to its
/// node's bridge (the CNI plugin's job in Kubernetes). Every resource goes into the <see cref="Ledger"/> first.
/// </summary>
public sealed class PodNetwork(ICommandRunner runner, Ledger ledger, string hostResolvConf = "/etc/resolv.conf")
{
    public const string IpForward = "/proc/sys/net/ipv4/ip_forward";
    private static readonly string[][] ForwardRules = [["FORWARD", "-i", "mabr+", "-j", "ACCEPT"], ["FORWARD", "-o", "mabr+", "-j", "ACCEPT"]];
    private readonly HashSet<int> _bridges = [];
    private readonly object _gate = new();
    private bool _hostReady;

    /// <summary>ip_forward on (old value remembered) and FORWARD accepted for the bridges (inserted once).</summary>
    public void EnsureHost()
    {
        lock (_gate)
        {
            if (_hostReady) return;
            var old = File.ReadAllText(IpForward).Trim();
            if (old != "1")
            {
                ledger.Record(new LedgerEntry(LedgerEntry.Sysctl, IpForward, old));
                File.WriteAllText(IpForward, "1\n");
            }
            // iptables-nft creates its table on first use; remember to remove it if it was not there before.
            if (!runner.Run("nft", "list", "table", "ip", "filter").Ok && runner.Run("nft", "--version").Ok)
                ledger.Record(new LedgerEntry(LedgerEntry.NftTable, "ip filter"));
            foreach (var rule in ForwardRules)
            {
                if (runner.Run("iptables", ["-t", "filter", "-C", .. rule]).Ok) continue;
                ledger.Record(new LedgerEntry(LedgerEntry.Iptables, "filter", Args: rule));
                CommandRunner.Must(runner, "iptables", ["-t", "filter", "-I", .. rule]);
            }
            _hostReady = true;
        }
    }

    /// <summary>Bridge <c>mabr&lt;i&gt;</c> with the node's gateway address <c>prefix.i.1/24</c>.</summary>
    public void EnsureBridge(string podIp)
    {
        var index = LocalNames.BridgeIndex(podIp);
        lock (_gate)
        {
            if (_bridges.Contains(index)) return;
            var name = LocalNames.Bridge(index);
            ledger.Record(new LedgerEntry(LedgerEntry.Link, name));
            if (!Directory.Exists($"/sys/class/net/{name}")) CommandRunner.Must(runner, "ip", "link", "add", name, "type", "bridge");
            var address = LocalNames.Gateway(podIp) + "/24";
            if (!runner.Run("ip", "-o", "addr", "show", "dev", name).Stdout.Contains($" {address} ", StringComparison.Ordinal))
                CommandRunner.Must(runner, "ip", "addr", "add", address, "dev", name);
            CommandRunner.Must(runner, "ip", "link", "set", name, "up");
            _bridges.Add(index);
        }
    }

    /// <summary>netns + veth (host end on the bridge, pod end eth0 with the pod IP) + lo + default route + /etc/netns files.</summary>
    public void CreatePod(LocalPod pod, IReadOnlyList<LocalService> services)
    {
        if (pod.Ip.Length == 0) throw new LocalModeException($"pod {pod.Namespace}/{pod.Name} has no IP (see the control's warnings)");
        EnsureHost();
        EnsureBridge(pod.Ip);
        var netns = LocalNames.Netns(pod.Namespace, pod.Name);
        var host = LocalNames.HostVeth(pod.Uid);
        var peer = LocalNames.PeerVeth(pod.Uid);

        ledger.Record(new LedgerEntry(LedgerEntry.Netns, netns));
        CommandRunner.Must(runner, "ip", "netns", "add", netns);
        ledger.Record(new LedgerEntry(LedgerEntry.Link, host));
        CommandRunner.Must(runner, "ip", "link", "add", host, "type", "veth", "peer", "name", peer);
        CommandRunner.Must(runner, "ip", "link", "set", peer, "netns", netns);
        CommandRunner.Must(runner, "ip", "-n", netns, "link", "set", peer, "name", "eth0");
        CommandRunner.Must(runner, "ip", "-n", netns, "addr", "add", pod.Ip + "/24", "dev", "eth0");
        CommandRunner.Must(runner, "ip", "-n", netns, "link", "set", "lo", "up");
        CommandRunner.Must(runner, "ip", "-n", netns, "link", "set", "eth0", "up");
        CommandRunner.Must(runner, "ip", "-n", netns, "route", "add", "default", "via", LocalNames.Gateway(pod.Ip));
        CommandRunner.Must(runner, "ip", "link", "set", host, "master", LocalNames.Bridge(LocalNames.BridgeIndex(pod.Ip)));
        CommandRunner.Must(runner, "ip", "link", "set", host, "up");

        var dir = LocalNames.EtcNetnsDir(netns);
        if (!Directory.Exists(Path.GetDirectoryName(dir))) ledger.Record(new LedgerEntry(LedgerEntry.Directory, Path.GetDirectoryName(dir)!));
        ledger.Record(new LedgerEntry(LedgerEntry.Directory, dir));
        Directory.CreateDirectory(dir);
        var hostResolv = File.Exists(hostResolvConf) ? File.ReadAllText(hostResolvConf) : "";
        NetnsFiles.WriteInPlace(Path.Combine(dir, "resolv.conf"), NetnsFiles.Resolv(hostResolv, pod.Namespace));
        UpdateHosts(pod, services);
    }

    public static void UpdateHosts(LocalPod pod, IReadOnlyList<LocalService> services)
    {
        var dir = LocalNames.EtcNetnsDir(LocalNames.Netns(pod.Namespace, pod.Name));
        if (Directory.Exists(dir)) NetnsFiles.WriteInPlace(Path.Combine(dir, "hosts"), NetnsFiles.Hosts(pod, services));
    }

    /// <summary>Removes one pod's resources (its processes must be gone, or the netns lingers until they exit).</summary>
    public static void DeletePod(IHostResources host, LocalPod pod)
    {
        var netns = LocalNames.Netns(pod.Namespace, pod.Name);
        host.DeleteNetns(netns);
        host.DeleteLink(LocalNames.HostVeth(pod.Uid));
        host.DeleteDirectory(LocalNames.EtcNetnsDir(netns));
    }
}
