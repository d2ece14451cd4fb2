using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;

namespace Mesh.Node.Dns;

/// <summary>
/// Mesh names from mesh state: <c>&lt;svc&gt;.&lt;ns&gt;.svc.&lt;domain&gt;</c> resolves through the same address
/// entities as destinations (keyed by service hostname), cached on the node. A service with VIPs answers its VIPs; a
/// headless one its endpoints' addresses. Anything else is not a mesh name (forwarded upstream).
/// </summary>
public sealed class MeshNameResolver(NodeViewStore store, IRequiredActor<AddressCache> addressCache, TimeSpan lookupTimeout, string domain = "cluster.local")
    : IMeshNameResolver
{
    private readonly string _serviceSuffix = ".svc." + domain;

    public async ValueTask<IReadOnlyList<IPAddress>?> ResolveAsync(string fqdn, CancellationToken ct)
    {
        if (fqdn.StartsWith("*.", StringComparison.Ordinal) || !fqdn.EndsWith(_serviceSuffix, StringComparison.Ordinal)) return null;
        var record = store.TryGetAddress(fqdn, out var cached)
            ? cached
            : await (await addressCache.GetAsync(ct)).Ask<AddressRecord>(new State.ResolveAddress(fqdn), lookupTimeout, ct);
        if (record.Service is not { } service) return null;
        var addresses = service.Addresses.Count > 0
            ? service.Addresses
            : (IEnumerable<string>)record.Endpoints.SelectMany(w => w.Addresses);
        return addresses.Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).OfType<IPAddress>().ToList();
    }
}
