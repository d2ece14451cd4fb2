using System.Net;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>Turns a SOCKS5 request into the address the client means (the ztunnel: <see cref="MeshSocks5Names"/>).</summary>
public interface ISocks5NameResolver
{
    /// <summary>The destination; null when the name cannot be resolved (the client gets 0x04).</summary>
    Task<IPEndPoint?> ResolveAsync(Socks5Request request, CancellationToken cancellationToken);
}
