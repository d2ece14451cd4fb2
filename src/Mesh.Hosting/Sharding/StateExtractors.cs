using Akka.Cluster.Sharding;
using Mesh.Protocol.Contracts;

namespace Mesh.Hosting.Sharding;

/// <summary>
/// Node state is keyed by node name: a ztunnel needs everything about the pods on its node and nothing else,
/// so one entity per node is exactly one subscription per ztunnel, and a change to a pod touches one entity.
/// </summary>
public sealed class NodeStateExtractor(int maxShards = NodeStateExtractor.DefaultShards) : HashCodeMessageExtractor(maxShards)
{
    public const int DefaultShards = 100;
    public override string? EntityId(object message) => (message as INodeKeyed)?.Node;
}

/// <summary>
/// Address state is keyed by IP: the outbound path resolves a destination by the address it was dialled at,
/// so a lookup lands on a single entity and a 100k-workload mesh spreads evenly over the control members.
/// </summary>
public sealed class AddressStateExtractor(int maxShards = AddressStateExtractor.DefaultShards) : HashCodeMessageExtractor(maxShards)
{
    public const int DefaultShards = 100;
    public override string? EntityId(object message) => (message as IAddressKeyed)?.Address;
}

/// <summary>Registry key for the node-state shard region (or its proxy on non-control members).</summary>
public sealed class NodeStateRegion;

/// <summary>Registry key for the address-state shard region (or its proxy on non-control members).</summary>
public sealed class AddressStateRegion;
