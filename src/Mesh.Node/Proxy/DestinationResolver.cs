using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy;

/// <summary>
/// Looks an original destination up in the mesh state and plans its route (<see cref="OutboundPlanner"/>). Reads the
/// node's view first, then the cache of remote addresses, and asks the control plane (through
/// <see cref="AddressCache"/>) only on a miss.
/// </summary>
public sealed class DestinationResolver(NodeViewStore store, IRequiredActor<AddressCache> addressCache, TimeSpan lookupTimeout, OutboundPlanner planner)
{
    private readonly OutboundPlanner _planner = planner;

    /// <summary>The workload this node serves at <paramref name="address"/> (a source pod), if the view knows it.</summary>
    public Workload? LocalWorkload(IPAddress address) =>
        store.View.WorkloadsByAddress.TryGetValue(address.ToString(), out var workload) ? workload : null;

    /// <summary>The route for a connection from <paramref name="source"/> (null when unknown) to <paramref name="original"/>.</summary>
    /// <exception cref="AskTimeoutException">The control plane did not answer the lookup in time.</exception>
    public async Task<OutboundRoute> ResolveAsync(Workload? source, IPEndPoint original, CancellationToken ct)
    {
        var record = await LookupAsync(original.Address.ToString(), ct);
        return _planner.Plan(source, original, record);
    }

    /// <summary>
    /// The workload at a (usually remote) address, asking the control plane on a cache miss within
    /// <paramref name="budget"/>; null when unknown or not answered in time — callers use it for labels, not decisions.
    /// </summary>
    public async ValueTask<Workload?> WorkloadAtAsync(IPAddress address, TimeSpan budget, CancellationToken ct)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var ip = address.ToString();
        if (store.View.WorkloadsByAddress.TryGetValue(ip, out var local)) return local;
        if (store.TryGetAddress(ip, out var cached)) return cached.Workload;
        try { return (await (await addressCache.GetAsync(ct)).Ask<AddressRecord>(new ResolveAddress(ip), budget, ct)).Workload; }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { return null; }
    }

    private async Task<AddressRecord> LookupAsync(string ip, CancellationToken ct)
    {
        if (store.View.WorkloadsByAddress.TryGetValue(ip, out var local))
            return new AddressRecord(ip, local, null, ValueList<Workload>.Empty);
        if (store.TryGetAddress(ip, out var cached)) return cached;
        return await (await addressCache.GetAsync(ct)).Ask<AddressRecord>(new ResolveAddress(ip), lookupTimeout, ct);
    }
}
