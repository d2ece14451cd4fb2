using System.Text.RegularExpressions;
using Mesh.Cli.Local.Network;

namespace Mesh.Integration.Tests.Local;

/// <summary>What local mode may touch on the host, to compare before and after: netns, links, iptables, ip_forward, /etc/netns.</summary>
public sealed partial record HostSnapshot(string Netns, string Links, string Iptables, string IpForward, string EtcNetns)
{
    public static HostSnapshot Take()
    {
        var runner = CommandRunner.Instance;
        var links = string.Join('\n', runner.Run("ip", "-o", "link", "show").Stdout.Split('\n')
            .Select(l => l.Split(':', 3) is { Length: 3 } p ? p[1].Trim() : l).Order(StringComparer.Ordinal));
        var iptables = string.Join('\n', runner.Run("iptables-save").Stdout.Split('\n')
            .Where(l => !l.StartsWith('#')).Select(l => Counters().Replace(l, "")));
        var etc = Directory.Exists("/etc/netns") ? string.Join('\n', Directory.GetDirectories("/etc/netns").Order(StringComparer.Ordinal)) : "";
        return new HostSnapshot(runner.Run("ip", "netns", "list").Stdout.Trim(), links, iptables,
            File.ReadAllText(PodNetwork.IpForward).Trim(), etc);
    }

    [GeneratedRegex(@"\[\d+:\d+\]")]
    private static partial Regex Counters();
}
