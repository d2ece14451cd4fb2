using System.Net;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// A parsed CONNECT request: either an address (<see cref="Target"/>) or a host name to be resolved by the mesh
/// (<see cref="Hostname"/>, lower-case, no trailing dot). <see cref="Port"/> is set in both cases.
/// </summary>
public sealed record Socks5Request(IPEndPoint? Target, string? Hostname, int Port)
{
    public static Socks5Request ForAddress(IPEndPoint target) => new(target, null, target.Port);

    public static Socks5Request ForHost(string hostname, int port) => new(null, hostname, port);

    public override string ToString() => Hostname is null ? Target!.ToString() : $"{Hostname}:{Port}";
}
