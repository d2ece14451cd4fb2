using System.Globalization;
using System.Text;

namespace Mesh.Cli.Local.Network;

/// <summary>
/// Names of the host resources local mode creates. Every name carries a "ma" prefix so cleanup can never touch
/// something it did not create, and fits Linux's 15-character interface names.
/// </summary>
public static class LocalNames
{
    /// <summary><c>ma_&lt;ns&gt;_&lt;pod&gt;</c>: "_" is not valid in Kubernetes names, so pods of different namespaces never collide.</summary>
    public static string Netns(string ns, string pod) => $"ma_{ns}_{pod}";

    public static string NetnsPath(string netns) => $"/var/run/netns/{netns}";

    public static string EtcNetnsDir(string netns) => $"/etc/netns/{netns}";

    /// <summary>Host end of the pod's veth: <c>mav</c> + 8 hex of a stable hash of the uid.</summary>
    public static string HostVeth(string uid) => "mav" + Hash(uid);

    /// <summary>Pod end before it moves into the netns and becomes eth0.</summary>
    public static string PeerVeth(string uid) => "map" + Hash(uid);

    public static string Bridge(int index) => "mabr" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The node bridge serving a pod IP: its /24's third octet (the control gives node i <c>prefix.i.0/24</c>).</summary>
    public static int BridgeIndex(string podIp)
    {
        var octets = podIp.Split('.');
        if (octets.Length != 4 || !int.TryParse(octets[2], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new FormatException($"'{podIp}' is not an IPv4 pod address");
        return index;
    }

    /// <summary>The bridge's own address (the pods' default gateway): <c>a.b.c.1</c>.</summary>
    public static string Gateway(string podIp)
    {
        var octets = podIp.Split('.');
        return $"{octets[0]}.{octets[1]}.{octets[2]}.1";
    }

    /// <summary>Log file of one container (or member, with <paramref name="container"/> null).</summary>
    public static string LogFile(string ns, string pod, string container) => $"{ns}_{pod}_{container}.log";

    private static string Hash(string text)
    {
        // FNV-1a 32: the same name in every process, so a later `down` finds the link by recomputing it.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
