using System.Net.Sockets;

namespace Mesh.Node.Dns;

/// <summary>
/// Decides whether a name is a mesh name from one pod's point of view and builds the answer records, following
/// ztunnel's Store::lookup (src/dns/server.rs):
/// <list type="bullet">
/// <item>Aliases of the requested name: itself; its Kubernetes FQDN expansions (<c>svc</c> → <c>svc.ns.svc.&lt;domain&gt;</c>
/// with the pod's namespace, <c>svc.ns</c>, <c>svc.ns.svc</c>, plus the headless pod-host forms); and the same after
/// stripping each search domain (<c>ns.svc.&lt;domain&gt;</c>, <c>svc.&lt;domain&gt;</c>, <c>&lt;domain&gt;</c>).</item>
/// <item>Each alias is tried as is, then as wildcards of decreasing specificity.</item>
/// <item>A search-list-expanded query (e.g. <c>echo.demo.demo.svc.cluster.local</c>, which glibc sends first because
/// of ndots:5) is <em>resolved</em>, not NXDOMAIN: a CNAME from the requested name to the stripped name
/// (<c>echo.demo</c>) and the addresses under the stripped name.</item>
/// </list>
/// Only A and AAAA are answered; a known name of the other family gets NOERROR with no records.
/// </summary>
public sealed class MeshNameAnswerer
{
    /// <summary>ztunnel's DEFAULT_TTL_SECONDS.</summary>
    public const uint Ttl = 30;

    private readonly IMeshNameResolver _resolver;
    private readonly string[] _domain;
    private readonly string[] _svcDomain;
    private readonly string[] _namespacedDomain;
    private readonly string[][] _searchDomains;

    public MeshNameAnswerer(IMeshNameResolver resolver, string podNamespace, string clusterDomain = "cluster.local")
    {
        _resolver = resolver;
        _domain = Lower(DnsName.Parse(clusterDomain));
        _svcDomain = ["svc", .. _domain];
        _namespacedDomain = [podNamespace.ToLowerInvariant(), .. _svcDomain];
        // The default search list Kubernetes gives a pod (ztunnel hardcodes the same per-pod list).
        _searchDomains = [_namespacedDomain, _svcDomain, _domain];
    }

    /// <summary>Answer records (possibly none) when the name is a mesh name; <c>null</c> to forward upstream.</summary>
    public async ValueTask<IReadOnlyList<DnsRecord>?> AnswerAsync(DnsQuestion question, CancellationToken ct)
    {
        if (question.Class != DnsType.ClassIn || question.Type is not (DnsType.A or DnsType.Aaaa) || !question.Name.IsPlainHostname
            || question.Name.Labels.Count == 0)
            return null;

        foreach (var alias in Aliases(Lower(question.Name)))
        {
            foreach (var (candidate, wildcard) in Wildcards(alias.Name))
            {
                var addresses = await _resolver.ResolveAsync(string.Join('.', candidate), ct);
                if (addresses is null) continue;
                return Records(question, addresses, alias.Stripped is { } stripped && !wildcard ? stripped : null);
            }
        }
        return null;
    }

    private static List<DnsRecord> Records(DnsQuestion question, IReadOnlyList<System.Net.IPAddress> addresses, string[]? stripped)
    {
        var family = question.Type == DnsType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var matching = addresses.Where(a => a.AddressFamily == family).ToArray();
        var records = new List<DnsRecord>();
        if (matching.Length == 0) return records;
        // ztunnel shuffles so clients that take the first address spread over the VIPs.
        Random.Shared.Shuffle(matching);
        var recordName = question.Name;
        if (stripped is not null)
        {
            recordName = new DnsName(stripped);
            records.Add(DnsRecord.CName(question.Name, recordName, Ttl));
        }
        records.AddRange(matching.Select(a => DnsRecord.ForAddress(recordName, a, Ttl)));
        return records;
    }

    private sealed record Alias(string[] Name, string[]? Stripped);

    private List<Alias> Aliases(string[] name)
    {
        var aliases = new List<Alias>();
        var seen = new HashSet<string>();
        void Add(string[] alias, string[]? stripped)
        {
            if (seen.Add(string.Join('.', alias))) aliases.Add(new Alias(alias, stripped));
        }

        Add(name, null);
        foreach (var fqdn in KubeFqdns(name)) Add(fqdn, null);
        foreach (var search in _searchDomains)
        {
            if (name.Length <= search.Length || !name.AsSpan(name.Length - search.Length).SequenceEqual(search)) continue;
            var stripped = name[..^search.Length];
            Add(stripped, stripped);
            foreach (var fqdn in KubeFqdns(stripped)) Add(fqdn, stripped);
        }
        return aliases;
    }

    /// <summary>ztunnel's to_kube_fqdns: only the expansions the label count allows.</summary>
    private IEnumerable<string[]> KubeFqdns(string[] name)
    {
        switch (name.Length)
        {
            case 1:
                yield return [.. name, .. _namespacedDomain];
                break;
            case 2:
                yield return [.. name, .. _svcDomain]; // <svc>.<ns>
                yield return [.. name, .. _namespacedDomain]; // <pod>.<subdomain>
                break;
            case 3:
                if (name[2] == "svc") yield return [.. name, .. _domain]; // <svc>.<ns>.svc
                yield return [.. name, .. _svcDomain]; // <pod>.<subdomain>.<ns>
                break;
            case 4 when name[3] == "svc":
                yield return [.. name, .. _domain]; // <pod>.<subdomain>.<ns>.svc
                break;
        }
    }

    /// <summary>a.b.c, then *.b.c, *.c (ztunnel's get_wildcards).</summary>
    private static IEnumerable<(string[] Name, bool Wildcard)> Wildcards(string[] name)
    {
        yield return (name, false);
        for (var i = 0; i < name.Length - 1; i++)
            yield return (["*", .. name[(i + 1)..]], true);
    }

    private static string[] Lower(DnsName name) => name.Labels.Select(l => l.ToLowerInvariant()).ToArray();
}
