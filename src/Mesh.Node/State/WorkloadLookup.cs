using System.Net;
using Mesh.Protocol.Model;

namespace Mesh.Node.State;

/// <summary>Which workload is at an address, from what the node already holds (its view, then cached remote lookups); never asks the control plane.</summary>
public static class WorkloadLookup
{
    public static Workload? WorkloadAt(this NodeViewStore store, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var key = address.ToString();
        if (store.View.WorkloadsByAddress.TryGetValue(key, out var local)) return local;
        return store.TryGetAddress(key, out var record) ? record.Workload : null;
    }
}
