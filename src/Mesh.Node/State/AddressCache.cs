using Akka.Actor;
using Mesh.Protocol.Contracts;

namespace Mesh.Node.State;

/// <summary>Local request: resolve an address through the control plane (cached, kept fresh by watching).</summary>
public sealed record ResolveAddress(string Address);

/// <summary>
/// Resolves remote destinations on demand. The first lookup of an address asks its sharded address entity and
/// watches it; later changes are pushed here and land in the store, so the data path reads the cache only.
/// When an entity goes away its addresses are looked up again.
/// </summary>
public sealed class AddressCache : ReceiveActor
{
    private readonly IActorRef _region;
    private readonly NodeViewStore _store;
    private readonly Dictionary<string, List<IActorRef>> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, HashSet<string>> _byEntity = [];

    public AddressCache(IActorRef region, NodeViewStore store)
    {
        _region = region;
        _store = store;

        Receive<ResolveAddress>(resolve =>
        {
            if (_store.TryGetAddress(resolve.Address, out var known))
            {
                Sender.Tell(known);
                return;
            }
            if (!_waiting.TryGetValue(resolve.Address, out var waiters))
            {
                _waiting[resolve.Address] = waiters = [];
                _region.Tell(new LookupAddress(resolve.Address, Watch: true));
            }
            waiters.Add(Sender);
        });
        Receive<AddressAnswer>(answer =>
        {
            var address = answer.Record.Address;
            _store.PutAddress(answer.Record);
            if (!_byEntity.TryGetValue(Sender, out var addresses))
            {
                _byEntity[Sender] = addresses = new HashSet<string>(StringComparer.Ordinal);
                Context.Watch(Sender);
            }
            addresses.Add(address);
            if (_waiting.Remove(address, out var waiters))
                foreach (var waiter in waiters) waiter.Tell(answer.Record);
        });
        // Addresses restored from the state cache are refreshed (and watched) as soon as the cluster answers.
        foreach (var address in _store.CachedAddresses) _region.Tell(new LookupAddress(address, Watch: true));

        Receive<Terminated>(t =>
        {
            if (!_byEntity.Remove(t.ActorRef, out var addresses)) return;
            foreach (var address in addresses) _region.Tell(new LookupAddress(address, Watch: true));
        });
    }
}
