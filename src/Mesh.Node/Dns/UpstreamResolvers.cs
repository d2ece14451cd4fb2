using System.Net;

namespace Mesh.Node.Dns;

/// <summary>The host's resolvers (nameserver lines of /etc/resolv.conf), where captured DNS is forwarded.</summary>
public static class UpstreamResolvers
{
    public static IReadOnlyList<IPEndPoint> FromResolvConf(string path = "/etc/resolv.conf")
    {
        var servers = new List<IPEndPoint>();
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && parts[0] == "nameserver" && IPAddress.TryParse(parts[1], out var ip))
                    servers.Add(new IPEndPoint(ip, 53));
            }
        }
        return servers;
    }
}
