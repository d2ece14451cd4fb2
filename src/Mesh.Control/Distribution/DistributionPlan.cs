using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Control.Distribution;

/// <summary>The computed mesh state cut into what each sharded entity holds.</summary>
public sealed record DistributionPlan(
    IReadOnlyDictionary<string, NodeSlice> Nodes,
    IReadOnlyDictionary<string, AddressRecord> Addresses)
{
    public static readonly DistributionPlan Empty = new(new Dictionary<string, NodeSlice>(), new Dictionary<string, AddressRecord>());

    /// <summary>
    /// Cuts the state: per node, its workloads plus the services they belong to and the policies that can
    /// apply to them (global, their namespaces', and the selector policies naming them); per address, the
    /// workload or service VIP (with its endpoints) found there — and per service hostname, the service.
    /// </summary>
    public static DistributionPlan From(IEnumerable<Workload> workloads, IEnumerable<Service> services, IEnumerable<Authorization> policies)
    {
        var workloadList = workloads.ToList();
        var servicesByKey = services.GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.First());
        var policyList = policies.ToList();

        var nodes = new Dictionary<string, NodeSlice>(StringComparer.Ordinal);
        foreach (var group in workloadList.Where(w => w.Node.Length > 0).GroupBy(w => w.Node, StringComparer.Ordinal))
        {
            var onNode = group.OrderBy(w => w.Uid, StringComparer.Ordinal).ToList();
            var namespaces = onNode.Select(w => w.Namespace).ToHashSet(StringComparer.Ordinal);
            var selected = onNode.SelectMany(w => w.AuthorizationPolicies).ToHashSet(StringComparer.Ordinal);
            var nodeServices = onNode.SelectMany(w => w.Services).Select(b => b.ServiceKey).Distinct()
                .Select(k => servicesByKey.GetValueOrDefault(k)).OfType<Service>()
                .OrderBy(s => s.Key, StringComparer.Ordinal);
            var nodePolicies = policyList.Where(p => p.Scope switch
                {
                    PolicyScope.Global => true,
                    PolicyScope.Namespace => namespaces.Contains(p.Namespace),
                    _ => selected.Contains(p.Key),
                })
                .OrderBy(p => p.Key, StringComparer.Ordinal);
            nodes[group.Key] = new NodeSlice(group.Key, onNode.ToValueList(), nodeServices.ToValueList(), nodePolicies.ToValueList());
        }

        var endpointsByService = workloadList
            .SelectMany(w => w.Services.Select(b => (b.ServiceKey, Workload: w)))
            .GroupBy(x => x.ServiceKey)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Workload).OrderBy(w => w.Uid, StringComparer.Ordinal).ToValueList());

        var addresses = new Dictionary<string, AddressRecord>(StringComparer.Ordinal);
        foreach (var service in servicesByKey.Values)
        {
            var endpoints = endpointsByService.GetValueOrDefault(service.Key) ?? ValueList<Workload>.Empty;
            foreach (var vip in service.Addresses)
                addresses[vip] = new AddressRecord(vip, null, service, endpoints);
            // Also keyed by hostname, so the DNS proxy and SOCKS5 resolve mesh names with the same one-hop lookup.
            if (service.Hostname.Length > 0)
                addresses[service.Hostname] = new AddressRecord(service.Hostname, null, service, endpoints);
        }
        foreach (var workload in workloadList)
        {
            foreach (var ip in workload.Addresses)
                addresses.TryAdd(ip, new AddressRecord(ip, workload, null, ValueList<Workload>.Empty));
        }

        return new DistributionPlan(nodes, addresses);
    }
}
