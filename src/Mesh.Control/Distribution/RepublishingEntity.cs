using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Mesh.Protocol.Contracts;

namespace Mesh.Control.Distribution;

/// <summary>
/// Base for sharded state entities. Entities are not remembered: after a rebalance or the loss of a control
/// member an entity starts empty and asks every control publisher (pub-sub) for its value until one answers.
/// Subscribers are watched and dropped when they die.
/// </summary>
public abstract class RepublishingEntity<TValue> : ReceiveActor, IWithTimers where TValue : class
{
    private const string AskTimer = "ask-publishers";
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly TimeSpan _askInterval;

    protected RepublishingEntity(TimeSpan askInterval)
    {
        _askInterval = askInterval;
        Receive<Terminated>(t => _subscribers.Remove(t.ActorRef));
        Receive<AskPublishers>(_ => AskPublishersIfEmpty());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected ILoggingAdapter Log { get; } = Context.GetLogger();
    protected TValue? Current { get; private set; }
    protected long Version { get; private set; }
    protected IReadOnlyCollection<IActorRef> Subscribers => _subscribers;

    /// <summary>The message that asks publishers for this entity's value.</summary>
    protected abstract IMeshMessage NeedMessage { get; }

    /// <summary>What subscribers receive for the current value.</summary>
    protected abstract object Answer(TValue value, long version);

    protected override void PreStart()
    {
        // Asked through the mailbox, not at once: an entity started by a publisher's push gets its value in the
        // message that created it and then needs no round trip through pub-sub.
        Self.Tell(AskPublishers.Instance);
        StartAskRetry();
    }

    /// <summary>Keeps asking the publishers until a value arrives (default: a periodic timer of this entity).</summary>
    protected virtual void StartAskRetry() => Timers.StartPeriodicTimer(AskTimer, AskPublishers.Instance, _askInterval);

    /// <summary>A value arrived: stop asking.</summary>
    protected virtual void StopAskRetry() => Timers.Cancel(AskTimer);

    /// <summary>Asks the publishers for the value unless it is known already.</summary>
    protected void AskPublishersIfEmpty()
    {
        if (Current is null) Publish();
    }

    /// <summary>Stores a value pushed by a publisher; equal values (from several replicas) are ignored.</summary>
    protected void Put(TValue value)
    {
        StopAskRetry();
        if (Current is not null && Current.Equals(value)) return;
        Current = value;
        Version++;
        var answer = Answer(value, Version);
        foreach (var subscriber in _subscribers) subscriber.Tell(answer);
    }

    /// <summary>Registers the sender for future values and answers at once when a value is known.</summary>
    protected void AddSubscriber(IActorRef subscriber)
    {
        if (_subscribers.Add(subscriber)) Context.Watch(subscriber);
        if (Current is not null) subscriber.Tell(Answer(Current, Version));
    }

    /// <summary>Stops pushing values to <paramref name="subscriber"/>.</summary>
    protected void RemoveSubscriber(IActorRef subscriber)
    {
        if (_subscribers.Remove(subscriber)) Context.Unwatch(subscriber);
    }

    /// <summary>True while someone asked once and still waits for the first value.</summary>
    protected bool HasPendingAnswers => _pendingOnce.Count > 0;

    /// <summary>Answers once without subscribing (answers later if the value is not known yet).</summary>
    protected void AnswerOnce(IActorRef asker)
    {
        if (Current is not null) asker.Tell(Answer(Current, Version));
        else _pendingOnce.Add(asker);
    }

    private readonly List<IActorRef> _pendingOnce = [];

    protected void FlushPending()
    {
        if (Current is null) return;
        foreach (var asker in _pendingOnce) asker.Tell(Answer(Current, Version));
        _pendingOnce.Clear();
    }

    private void Publish() =>
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(Topics.StatePublishers, NeedMessage));

    private sealed class AskPublishers
    {
        public static readonly AskPublishers Instance = new();
    }
}
