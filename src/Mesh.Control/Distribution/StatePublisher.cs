using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Control.Distribution;

/// <summary>Local message: newly computed mesh state to distribute.</summary>
public sealed record PublishState(ValueList<Workload> Workloads, ValueList<Service> Services, ValueList<Authorization> Policies);

/// <summary>
/// Runs on every control member. Cuts each newly computed state into per-node and per-address values and sends
/// only what changed to the sharded entities. Every replica computes the same state from the same source, and
/// entities ignore equal values, so replicas need no leader: losing one loses nothing. It also answers entities
/// that (re)started empty and ask for their value.
/// </summary>
public sealed class StatePublisher : ReceiveActor
{
    private readonly IActorRef _nodeRegion;
    private readonly IActorRef _addressRegion;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private DistributionPlan? _plan;

    public StatePublisher(IActorRef nodeRegion, IActorRef addressRegion)
    {
        _nodeRegion = nodeRegion;
        _addressRegion = addressRegion;

        Receive<PublishState>(Publish);
        Receive<NeedNodeSlice>(need =>
        {
            if (_plan is null) return; // not loaded yet: another replica (or our first publish) answers
            Sender.Tell(new PutNodeSlice(_plan.Nodes.GetValueOrDefault(need.Node) ?? NodeSlice.EmptyFor(need.Node)));
        });
        Receive<NeedAddress>(need =>
        {
            if (_plan is null) return;
            Sender.Tell(new PutAddress(_plan.Addresses.GetValueOrDefault(need.Address) ?? AddressRecord.Unknown(need.Address)));
        });
        Receive<SubscribeAck>(_ => _log.Debug("State publisher subscribed to {0}", Topics.StatePublishers));
    }

    protected override void PreStart() =>
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(Topics.StatePublishers, Self));

    private void Publish(PublishState state)
    {
        var next = DistributionPlan.From(state.Workloads, state.Services, state.Policies);
        var previous = _plan ?? DistributionPlan.Empty;
        var sent = 0;

        foreach (var (node, slice) in next.Nodes)
        {
            if (previous.Nodes.TryGetValue(node, out var old) && old.Equals(slice)) continue;
            _nodeRegion.Tell(new PutNodeSlice(slice));
            sent++;
        }
        foreach (var node in previous.Nodes.Keys.Where(n => !next.Nodes.ContainsKey(n)))
        {
            _nodeRegion.Tell(new PutNodeSlice(NodeSlice.EmptyFor(node)));
            sent++;
        }
        foreach (var (address, record) in next.Addresses)
        {
            if (previous.Addresses.TryGetValue(address, out var old) && old.Equals(record)) continue;
            _addressRegion.Tell(new PutAddress(record));
            sent++;
        }
        foreach (var address in previous.Addresses.Keys.Where(a => !next.Addresses.ContainsKey(a)))
        {
            _addressRegion.Tell(new PutAddress(AddressRecord.Unknown(address)));
            sent++;
        }

        _plan = next;
        _log.Info("Published mesh state: {0} workloads on {1} nodes, {2} addresses; {3} entity updates",
            state.Workloads.Count, next.Nodes.Count, next.Addresses.Count, sent);
    }
}
