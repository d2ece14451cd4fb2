using System.Net;
using System.Net.Sockets;

namespace Mesh.Protocol.Authz;

/// <summary>
/// An IP address as a number, so range checks need no allocation. IPv4-mapped IPv6 addresses (what a dual-mode
/// socket reports for an IPv4 peer) are treated as the IPv4 address they carry.
/// </summary>
internal readonly record struct IpBits(UInt128 Value, bool IsV6)
{
    public int Width => IsV6 ? 128 : 32;

    public static IpBits From(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        for (var i = 0; i < written; i++) value = (value << 8) | bytes[i];
        return new IpBits(value, address.AddressFamily == AddressFamily.InterNetworkV6);
    }
}

/// <summary>A compiled <see cref="Model.IpBlock"/>; an unparseable block never contains anything.</summary>
internal readonly record struct CidrRange(IpBits Network, int Length, bool Valid)
{
    public static CidrRange From(Model.IpBlock block)
    {
        var text = block.Address;
        var percent = text.IndexOf('%');
        if (percent >= 0 || !IPAddress.TryParse(text, out var address)) return default;
        var network = IpBits.From(address);
        if (block.Length < 0 || block.Length > network.Width) return default;
        return new CidrRange(network, block.Length, true);
    }

    public bool Contains(IpBits address)
    {
        if (!Valid || address.IsV6 != Network.IsV6) return false;
        if (Length == 0) return true;
        var shift = address.Width - Length;
        return (address.Value ^ Network.Value) >> shift == 0;
    }
}
