using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using Mesh.Node.Capture;

namespace Mesh.Node.Tests.Capture;

public class SocketOptionsExSpec
{
    [Fact]
    public void Parses_sockaddr_in_with_port_in_network_order()
    {
        byte[] sockaddr = [2, 0, 0x1f, 0x90, 10, 250, 7, 3, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.250.7.3"), 8080), SocketOptionsEx.ParseSockaddr(sockaddr));
    }

    [Fact]
    public void Parses_sockaddr_in6()
    {
        var sockaddr = new byte[28];
        sockaddr[0] = 10; // AF_INET6, little-endian host order
        sockaddr[2] = 0x3a; sockaddr[3] = 0x98; // 15000
        IPAddress.Parse("fd00::42").GetAddressBytes().CopyTo(sockaddr, 8);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00::42"), 15000), SocketOptionsEx.ParseSockaddr(sockaddr));
    }

    [Fact]
    public void Original_destination_of_an_unNATed_loopback_connection_is_an_error_or_its_local_endpoint()
    {
        // Without a conntrack entry (no nat table in this netns) the kernel answers ENOENT; with one, the real address.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();
        // Either way it must not be garbage or an unexpected exception type.
        var error = Record.Exception(() => Assert.Equal(accepted.LocalEndPoint, SocketOptionsEx.GetOriginalDestination(accepted)));
        if (error is not null)
            Assert.IsType<SocketException>(error);
    }

    [RootFact]
    public void Mark_and_transparent_can_be_set_as_root()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        SocketOptionsEx.SetMark(socket, SocketOptionsEx.ZtunnelMark);
        SocketOptionsEx.SetTransparent(socket);
        Span<byte> mark = stackalloc byte[4];
        socket.GetRawSocketOption(1, 36, mark);
        Assert.Equal(0x539u, BitConverter.ToUInt32(mark));
        // Transparent: binding an address this netns does not own is allowed.
        socket.Bind(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 0));
    }
}
