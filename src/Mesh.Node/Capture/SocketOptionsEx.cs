using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Node.Capture;

/// <summary>Linux socket options for transparent capture that .NET does not name.</summary>
public static class SocketOptionsEx
{
    /// <summary>The mark on every socket the ztunnel opens in a pod netns; <see cref="InPodRules"/> skips it (Istio's 1337).</summary>
    public const uint ZtunnelMark = 0x539;

    private const int SolSocket = 1;
    private const int SoMark = 36;
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80;        // SO_ORIGINAL_DST, and IP6T_SO_ORIGINAL_DST has the same value.
    private const int IpTransparent = 19;
    private const int Ipv6Transparent = 75;
    private const ushort AfInet = 2;
    private const ushort AfInet6 = 10;

    /// <summary>
    /// The destination a connection had before it was REDIRECTed to the capture port (netfilter conntrack's
    /// original tuple). For a connection that was not NATed this is simply its local endpoint.
    /// </summary>
    /// <exception cref="SocketException">No conntrack entry (e.g. conntrack not active in that netns).</exception>
    public static IPEndPoint GetOriginalDestination(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        // A dual-mode IPv6 socket serving an IPv4 client (::ffff:a.b.c.d) has an IPv4 conntrack entry.
        var local = socket.LocalEndPoint as IPEndPoint;
        var ipv4 = socket.AddressFamily == AddressFamily.InterNetwork || local?.Address.IsIPv4MappedToIPv6 == true;
        Span<byte> buffer = stackalloc byte[28]; // sizeof(sockaddr_in6); sockaddr_in is 16.
        var length = socket.GetRawSocketOption(ipv4 ? SolIp : SolIpv6, SoOriginalDst, buffer);
        return ParseSockaddr(buffer[..length]);
    }

    /// <summary>Sets SO_MARK (fwmark) on the socket's packets; needs CAP_NET_ADMIN.</summary>
    public static void SetMark(Socket socket, uint mark = ZtunnelMark)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> value = stackalloc byte[4];
        BitConverter.TryWriteBytes(value, mark); // native endianness, as setsockopt expects.
        socket.SetRawSocketOption(SolSocket, SoMark, value);
    }

    /// <summary>
    /// Sets IP_TRANSPARENT (or IPV6_TRANSPARENT): the socket may bind a non-local address, so a connection to the
    /// app can carry the original client IP as its source. Replies come back through the in-pod policy routing.
    /// Call before Bind. Needs CAP_NET_ADMIN.
    /// </summary>
    public static void SetTransparent(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> one = stackalloc byte[4];
        BitConverter.TryWriteBytes(one, 1);
        if (socket.AddressFamily == AddressFamily.InterNetworkV6)
            socket.SetRawSocketOption(SolIpv6, Ipv6Transparent, one);
        else
            socket.SetRawSocketOption(SolIp, IpTransparent, one);
    }

    internal static IPEndPoint ParseSockaddr(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < 2)
            throw new ArgumentException("sockaddr too short", nameof(sockaddr));
        var family = BitConverter.ToUInt16(sockaddr); // sa_family is host order; the port is network order.
        switch (family)
        {
            case AfInet when sockaddr.Length >= 8:
                return new IPEndPoint(new IPAddress(sockaddr.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]));
            case AfInet6 when sockaddr.Length >= 24:
                var scope = sockaddr.Length >= 28 ? BitConverter.ToUInt32(sockaddr[24..]) : 0;
                return new IPEndPoint(new IPAddress(sockaddr.Slice(8, 16), scope), BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]));
            default:
                throw new ArgumentException($"unexpected sockaddr family {family} (length {sockaddr.Length})", nameof(sockaddr));
        }
    }
}
