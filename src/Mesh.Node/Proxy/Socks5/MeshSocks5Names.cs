using System.Net;
using System.Net.Sockets;
using Mesh.Node.Dns;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// What a SOCKS5 client means: a literal address as is; a mesh name (<c>svc.ns</c>, <c>svc.ns.svc</c>,
/// <c>svc.ns.svc.cluster.local</c>) → its service VIP; any other name through the host's DNS.
/// </summary>
public sealed class MeshSocks5Names(IMeshNameResolver names) : ISocks5NameResolver
{
    public async Task<IPEndPoint?> ResolveAsync(Socks5Request request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Target is { } literal) return literal;
        if (request.Hostname is not { } host) return null;
        foreach (var name in MeshNameCandidates(host))
        {
            var vips = await names.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
            if (vips is { Count: > 0 }) return new IPEndPoint(vips[0], request.Port);
        }
        IPAddress[] found;
        try { found = await System.Net.Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false); }
        catch (SocketException) { return null; }
        return found.Length == 0 ? null : new IPEndPoint(found[0], request.Port);
    }

    /// <summary>"echo.demo" → "echo.demo.svc.cluster.local"; a full service name as is; other names are not mesh names.</summary>
    internal static IEnumerable<string> MeshNameCandidates(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        if (name.EndsWith(".svc.cluster.local", StringComparison.Ordinal)) yield return name;
        else if (name.EndsWith(".svc", StringComparison.Ordinal)) yield return name + ".cluster.local";
        else if (name.Count(c => c == '.') == 1) yield return name + ".svc.cluster.local";
    }
}
