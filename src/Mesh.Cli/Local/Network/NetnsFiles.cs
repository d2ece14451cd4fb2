using System.Text;
using Mesh.Protocol.Local;

namespace Mesh.Cli.Local.Network;

/// <summary>
/// The per-pod <c>/etc/netns/&lt;netns&gt;/{resolv.conf,hosts}</c> that <c>ip netns exec</c> bind-mounts over /etc.
/// Until the ztunnel's DNS proxy (15053) exists, Service names resolve through the hosts file.
/// </summary>
public static class NetnsFiles
{
    public static string Resolv(string hostResolvConf, string ns)
    {
        var text = new StringBuilder();
        foreach (var line in hostResolvConf.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("nameserver ", StringComparison.Ordinal)) text.Append(trimmed).Append('\n');
        }
        text.Append($"search {ns}.svc.cluster.local svc.cluster.local cluster.local\n");
        text.Append("options ndots:5\n");
        return text.ToString();
    }

    public static string Hosts(LocalPod pod, IEnumerable<LocalService> services)
    {
        var text = new StringBuilder();
        text.Append("127.0.0.1\tlocalhost\n");
        text.Append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        if (pod.Ip.Length > 0) text.Append($"{pod.Ip}\t{pod.Name}\n");
        foreach (var service in services.OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            var vip = service.Addresses.FirstOrDefault();
            if (string.IsNullOrEmpty(vip)) continue;
            var names = new List<string>();
            if (service.Hostname.Length > 0) names.Add(service.Hostname);
            names.Add($"{service.Name}.{service.Namespace}.svc");
            names.Add($"{service.Name}.{service.Namespace}");
            if (service.Namespace == pod.Namespace) names.Add(service.Name);
            text.Append(vip).Append('\t').Append(string.Join(' ', names.Distinct(StringComparer.Ordinal))).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// Rewrites the file's content without replacing the inode: processes started by <c>ip netns exec</c> see
    /// /etc/hosts through a bind mount of this very inode, which a rename would leave pointing at the old file.
    /// </summary>
    public static void WriteInPlace(string path, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return;
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        stream.Write(bytes);
        stream.SetLength(bytes.Length);
        stream.Flush(flushToDisk: true);
    }
}
