using System.Net;

namespace Mesh.Node.Dns;

/// <summary>
/// Mesh state behind the DNS proxy. <paramref name="fqdn"/> is lower-case, without a trailing dot, and may be a
/// wildcard form (<c>*.example.com</c>) for ServiceEntry-style hosts, as ztunnel also tries those.
/// </summary>
public interface IMeshNameResolver
{
    /// <summary>
    /// The addresses of a service (its VIPs) or pod hostname; both families may be mixed, the proxy picks by query
    /// type. <c>null</c> means "not a mesh name" and the query is forwarded upstream; an empty list means the name is
    /// known but has no addresses, answered NOERROR with no records.
    /// </summary>
    ValueTask<IReadOnlyList<IPAddress>?> ResolveAsync(string fqdn, CancellationToken ct);
}

/// <summary>Knows no names, so the proxy forwards everything: the behaviour before mesh state was wired in.</summary>
public sealed class NoMeshNames : IMeshNameResolver
{
    public static NoMeshNames Instance { get; } = new();

    public ValueTask<IReadOnlyList<IPAddress>?> ResolveAsync(string fqdn, CancellationToken ct) => ValueTask.FromResult<IReadOnlyList<IPAddress>?>(null);
}
