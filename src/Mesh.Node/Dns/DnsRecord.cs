using System.Net;

namespace Mesh.Node.Dns;

/// <summary>An answer the proxy writes itself: an A/AAAA address or a CNAME target, always class IN.</summary>
public sealed record DnsRecord(DnsName Name, ushort Type, uint Ttl, IPAddress? Address = null, DnsName? Target = null)
{
    public static DnsRecord ForAddress(DnsName name, IPAddress address, uint ttl) =>
        new(name, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsType.Aaaa : DnsType.A, ttl, address);

    public static DnsRecord CName(DnsName name, DnsName target, uint ttl) => new(name, DnsType.CName, ttl, Target: target);
}
