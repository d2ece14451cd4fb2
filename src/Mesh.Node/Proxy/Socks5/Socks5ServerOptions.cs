using System.Net;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>Settings of the SOCKS5 front door (Istio's ztunnel: 127.0.0.1:15080, opt-in).</summary>
public sealed class Socks5ServerOptions
{
    public const int DefaultPort = 15080;

    /// <summary>Loopback only by default: the proxy has no authentication, so it must not be reachable from outside.</summary>
    public IPEndPoint Endpoint { get; set; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>How long a client has to greet and send its request.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = Socks5Handshake.DefaultDeadline;

    /// <summary>How long resolving a host name may take before the client gets 0x04 (connecting has its own timeout).</summary>
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public int Backlog { get; set; } = 512;
}
