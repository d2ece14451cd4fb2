using System.Collections.Concurrent;
using System.Net;
using Mesh.Node.Dns;

namespace Mesh.Node.Tests.Dns;

/// <summary>Mesh names from a dictionary; records every name the proxy asked about.</summary>
internal sealed class DictionaryNames(Dictionary<string, IPAddress[]> names) : IMeshNameResolver
{
    public ConcurrentQueue<string> Asked { get; } = new();

    public ValueTask<IReadOnlyList<IPAddress>?> ResolveAsync(string fqdn, CancellationToken ct)
    {
        Asked.Enqueue(fqdn);
        return ValueTask.FromResult<IReadOnlyList<IPAddress>?>(names.TryGetValue(fqdn, out var ips) ? ips : null);
    }

    public static DictionaryNames Demo() => new(new()
    {
        ["echo.demo.svc.cluster.local"] = [IPAddress.Parse("10.96.0.10")],
        ["dual.demo.svc.cluster.local"] = [IPAddress.Parse("10.96.0.11"), IPAddress.Parse("fd00::11")],
        ["other.prod.svc.cluster.local"] = [IPAddress.Parse("10.96.1.1")],
        ["web-0.web.demo.svc.cluster.local"] = [IPAddress.Parse("10.244.0.5")],
        ["*.example.com"] = [IPAddress.Parse("192.0.2.1")],
    });
}
