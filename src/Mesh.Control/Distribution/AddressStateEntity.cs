using Akka.Actor;
using Akka.Cluster.Sharding;
using Mesh.Protocol.Contracts;

namespace Mesh.Control.Distribution;

/// <summary>
/// One per IP address (or service hostname): what is there (workload, or service VIP with endpoints), for on-demand
/// lookups. Every address any node dials gets one, including addresses outside the mesh, so with a
/// <see cref="AddressEntityHousekeeper"/> an entity only lives while a node watches it: with no subscriber and nothing
/// to answer it passivates (after the idle timeout, or earlier when too many are idle), and a later lookup starts it
/// again and it asks the publishers for its value. Without one it stays until stopped from outside.
/// </summary>
public sealed class AddressStateEntity : RepublishingEntity<AddressRecord>
{
    private readonly string _address;
    private readonly AddressEntityHousekeeper? _housekeeper;
    private bool _idle;
    private bool _passivating;

    /// <summary>An entity that never passivates and asks the publishers on its own timer.</summary>
    public AddressStateEntity(string address, TimeSpan askInterval) : base(askInterval)
    {
        _address = address;
        Receive<PutAddress>(put =>
        {
            Put(put.Record);
            FlushPending();
        });
        Receive<LookupAddress>(lookup =>
        {
            if (lookup.Watch) AddSubscriber(Sender);
            else AnswerOnce(Sender);
        });
        Receive<UnwatchAddress>(_ => RemoveSubscriber(Sender));
        Receive<AddressEntityHousekeeper.PassivateIdle>(_ => Passivate());
        Receive<AddressEntityHousekeeper.AskAgain>(_ => AskPublishersIfEmpty());
        Receive<StopEntity>(_ => Context.Stop(Self));
    }

    /// <summary>An entity whose asking and passivation <paramref name="housekeeper"/> drives (one per shard region).</summary>
    public AddressStateEntity(string address, AddressEntityHousekeeper housekeeper) : this(address, housekeeper.AskInterval)
    {
        _housekeeper = housekeeper;
    }

    protected override IMeshMessage NeedMessage => new NeedAddress(_address);

    protected override object Answer(AddressRecord value, long version) => new AddressAnswer(value, version);

    protected override void StartAskRetry()
    {
        if (_housekeeper is null) base.StartAskRetry();
        else _housekeeper.AwaitingValue(Self, Context.System);
    }

    protected override void StopAskRetry()
    {
        if (_housekeeper is null) base.StopAskRetry();
        else _housekeeper.GotValue(Self);
    }

    // Idleness is re-evaluated after every message, so no handler (including the base class's Terminated) can forget it.
    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        UpdateIdle();
        return handled;
    }

    protected override void PostStop()
    {
        _housekeeper?.Gone(Self);
        base.PostStop();
    }

    private void UpdateIdle()
    {
        if (_housekeeper is null || _passivating) return;
        var idle = Subscribers.Count == 0 && !HasPendingAnswers;
        if (idle == _idle) return;
        _idle = idle;
        if (idle) _housekeeper.Idle(Self, Context.System);
        else _housekeeper.Busy(Self);
    }

    private void Passivate()
    {
        if (!_idle || _passivating) return; // a subscriber arrived since the housekeeper asked
        _passivating = true;
        _housekeeper?.Gone(Self);
        // Through the shard, which buffers messages for this entity until it has stopped and then starts it again
        // for them. A lookup already in this mailbox is still answered here; its node sees the entity terminate and
        // looks up again.
        Context.Parent.Tell(new Passivate(StopEntity.Instance));
    }

    private sealed class StopEntity
    {
        public static readonly StopEntity Instance = new();
    }
}
