using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy;

/// <summary>
/// Resolves an original destination against the mesh state: a service VIP picks a healthy endpoint (round robin)
/// and maps the service port to its target port; a workload address goes there; anything else passes through.
/// Reads the node's cache first and asks the control plane (through <see cref="AddressCache"/>) only on a miss.
/// </summary>
public sealed class DestinationResolver(NodeViewStore store, IActorRef addressCache, TimeSpan lookupTimeout)
{
    private readonly ConcurrentDictionary<string, int> _roundRobin = new(StringComparer.Ordinal);

    public async Task<ResolvedDestination> ResolveAsync(IPEndPoint original, CancellationToken ct)
    {
        var ip = original.Address.ToString();
        var record = await LookupAsync(ip, ct);
        if (record.Service is { } service)
            return PickEndpoint(service, record.Endpoints, original.Port);
        if (record.Workload is { } workload)
            return new ResolvedDestination(DestinationKind.Workload, original, workload, null);
        return new ResolvedDestination(DestinationKind.Passthrough, original, null, null);
    }

    private async Task<AddressRecord> LookupAsync(string ip, CancellationToken ct)
    {
        if (store.View.WorkloadsByAddress.TryGetValue(ip, out var local))
            return new AddressRecord(ip, local, null, ValueList<Workload>.Empty);
        if (store.TryGetAddress(ip, out var cached)) return cached;
        return await addressCache.Ask<AddressRecord>(new ResolveAddress(ip), lookupTimeout, ct);
    }

    private ResolvedDestination PickEndpoint(Service service, ValueList<Workload> endpoints, int port)
    {
        var candidates = new List<(Workload Workload, int TargetPort)>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Status != WorkloadStatus.Healthy || endpoint.Addresses.Count == 0) continue;
            var binding = endpoint.Services.FirstOrDefault(b => b.ServiceKey == service.Key);
            var mapping = binding?.Ports.FirstOrDefault(p => p.ServicePort == port);
            if (mapping is not null) candidates.Add((endpoint, mapping.TargetPort));
        }
        if (candidates.Count == 0) return new ResolvedDestination(DestinationKind.NoEndpoint, null, null, service);

        var next = _roundRobin.AddOrUpdate(service.Key, 0, (_, n) => unchecked(n + 1));
        var (chosen, targetPort) = candidates[(int)((uint)next % (uint)candidates.Count)];
        var target = new IPEndPoint(IPAddress.Parse(chosen.Addresses[0]), targetPort);
        return new ResolvedDestination(DestinationKind.Service, target, chosen, service);
    }
}
