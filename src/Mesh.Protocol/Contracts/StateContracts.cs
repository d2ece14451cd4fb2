using Mesh.Protocol.Model;

namespace Mesh.Protocol.Contracts;

/// <summary>Marker for every message this project sends between cluster members; all are handled by MeshSerializer.</summary>
public interface IMeshMessage;

/// <summary>Messages routed to the per-node state entity (sharding key: node name).</summary>
public interface INodeKeyed : IMeshMessage { string Node { get; } }

/// <summary>Messages routed to the per-address state entity (sharding key: an IP address, or a service hostname).</summary>
public interface IAddressKeyed : IMeshMessage { string Address { get; } }

/// <summary>
/// Everything a ztunnel needs about the pods scheduled on its node: their workloads, the services they
/// belong to, and the authorization policies that can apply to them.
/// </summary>
public sealed record NodeSlice(
    string Node,
    ValueList<Workload> Workloads,
    ValueList<Service> Services,
    ValueList<Authorization> Policies)
{
    public static NodeSlice EmptyFor(string node) =>
        new(node, ValueList<Workload>.Empty, ValueList<Service>.Empty, ValueList<Authorization>.Empty);
}

/// <summary>
/// What is known about one IP address: the workload that owns it, or the service whose VIP it is together
/// with that service's endpoints. Both empty means the address is not in the mesh.
/// </summary>
public sealed record AddressRecord(string Address, Workload? Workload, Service? Service, ValueList<Workload> Endpoints)
{
    public static AddressRecord Unknown(string address) => new(address, null, null, ValueList<Workload>.Empty);
    public bool IsKnown => Workload is not null || Service is not null;
}

/// <summary>Control publisher → node entity: the slice for a node (idempotent; equal content is ignored).</summary>
public sealed record PutNodeSlice(NodeSlice Slice) : INodeKeyed
{
    public string Node => Slice.Node;
}

/// <summary>Node member → node entity: send me snapshots of this node's slice (sender is the subscriber).</summary>
public sealed record SubscribeNode(string Node) : INodeKeyed;

/// <summary>Node entity → subscribers: the current slice, with a version that grows per change.</summary>
public sealed record NodeSnapshot(NodeSlice Slice, long Version) : IMeshMessage;

/// <summary>Node entity (after a (re)start) → control publishers via pub-sub: please send my slice.</summary>
public sealed record NeedNodeSlice(string Node) : IMeshMessage;

/// <summary>Control publisher → address entity: what is at an address (idempotent).</summary>
public sealed record PutAddress(AddressRecord Record) : IAddressKeyed
{
    public string Address => Record.Address;
}

/// <summary>Node member → address entity: what is at this address; with Watch, also push later changes.</summary>
public sealed record LookupAddress(string Address, bool Watch) : IAddressKeyed;

/// <summary>
/// Node member → address entity: stop pushing changes of this address to me (the sender). Sent when a node evicts
/// an address from its cache, or when an answer says the address is not in the mesh (negative answers are cached
/// briefly and asked again, not watched). Lets the entity passivate once nobody watches it.
/// </summary>
public sealed record UnwatchAddress(string Address) : IAddressKeyed;

/// <summary>Address entity → asker/watchers.</summary>
public sealed record AddressAnswer(AddressRecord Record, long Version) : IMeshMessage;

/// <summary>Address entity (after a (re)start) → control publishers via pub-sub: please send my record.</summary>
public sealed record NeedAddress(string Address) : IMeshMessage;

/// <summary>Pub-sub topics used between control members and entities.</summary>
public static class Topics
{
    public const string StatePublishers = "mesh.state.publishers";
}

/// <summary>Sharding entity type names (also the names <c>meshctl cluster-sharding region-stats -r</c> takes).</summary>
public static class EntityTypes
{
    public const string NodeState = "node-state";
    public const string AddressState = "address-state";
}
