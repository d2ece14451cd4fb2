using Akka.Actor;
using Akka.Event;
using Mesh.Protocol.Contracts;

namespace Mesh.Node.State;

/// <summary>
/// Keeps this node's view in step with its sharded node-state entity. Subscribes through the shard-region
/// proxy, watches the entity that answers, and subscribes again whenever that entity goes away (rebalance,
/// control member lost) — so a node keeps receiving changes while any control member is alive.
/// </summary>
public sealed class NodeStateSubscriber : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "subscribe";
    private readonly IActorRef _region;
    private readonly NodeViewStore _store;
    private readonly TimeSpan _retryInterval;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef? _entity;

    public NodeStateSubscriber(IActorRef region, NodeViewStore store, TimeSpan retryInterval)
    {
        _region = region;
        _store = store;
        _retryInterval = retryInterval;

        Receive<NodeSnapshot>(snapshot =>
        {
            if (!Equals(_entity, Sender))
            {
                if (_entity is not null) Context.Unwatch(_entity);
                _entity = Sender;
                Context.Watch(_entity);
                _log.Info("Subscribed to node state for {0} at {1}", _store.Node, _entity.Path);
            }
            Timers.Cancel(RetryTimer);
            _store.Apply(snapshot.Slice, snapshot.Version);
        });
        Receive<Terminated>(t => Equals(t.ActorRef, _entity), _ =>
        {
            _log.Warning("Node state entity for {0} went away; subscribing again", _store.Node);
            _entity = null;
            Subscribe();
        });
        Receive<Resubscribe>(_ => _region.Tell(new SubscribeNode(_store.Node)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Subscribe();

    private void Subscribe()
    {
        _region.Tell(new SubscribeNode(_store.Node));
        // Until an entity answers (no control member up yet, shard moving), keep asking.
        Timers.StartPeriodicTimer(RetryTimer, Resubscribe.Instance, _retryInterval);
    }

    private sealed class Resubscribe
    {
        public static readonly Resubscribe Instance = new();
    }
}
