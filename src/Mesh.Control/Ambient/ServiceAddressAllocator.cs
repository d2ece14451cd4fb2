using System.Net;
using System.Net.Sockets;

namespace Mesh.Control.Ambient;

/// <summary>
/// Gives services without spec.clusterIP a VIP from the service CIDR: hash of ns/name, then linear probing
/// past explicit cluster IPs and earlier allocations (callers pass services in a fixed order).
/// </summary>
internal sealed class ServiceAddressAllocator
{
    private readonly uint _network;
    private readonly uint _size;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public ServiceAddressAllocator(string cidr, IEnumerable<string> explicitAddresses)
    {
        var (address, length) = Cidr.Parse(cidr) ?? throw new ArgumentException($"invalid service CIDR '{cidr}'", nameof(cidr));
        if (address.AddressFamily != AddressFamily.InterNetwork || length is < 1 or > 30)
            throw new ArgumentException($"service CIDR '{cidr}' must be an IPv4 range between /1 and /30", nameof(cidr));
        _size = 1u << (32 - length);
        _network = ToUInt(address) & ~(_size - 1);
        _used.UnionWith(explicitAddresses);
    }

    /// <summary>A free VIP, or null when the range is exhausted. Skips the network, the first host (the API
    /// server's "kubernetes" service by convention) and broadcast.</summary>
    public string? Allocate(string key)
    {
        var hosts = _size - 3;
        var start = (uint)(StableHash.Fnv1a(key) % hosts);
        for (uint i = 0; i < hosts; i++)
        {
            var candidate = FromUInt(_network + 2 + (start + i) % hosts);
            if (_used.Add(candidate)) return candidate;
        }
        return null;
    }

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static string FromUInt(uint value) =>
        new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
}
