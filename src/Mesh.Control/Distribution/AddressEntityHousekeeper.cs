using Akka.Actor;

namespace Mesh.Control.Distribution;

/// <summary>
/// Lifecycle bookkeeping shared by the address entities of one shard region: when an idle entity (no subscriber,
/// nothing to answer) passivates, and when an entity still without a value asks the publishers again.
/// <para>
/// Every address any node dials becomes an entity, so entities come and go at the rate nodes dial new addresses.
/// Per-entity timers would make that expensive: Akka's scheduler keeps a cancelled timer — and with it the whole
/// stopped entity — until its deadline, so a flood of short-lived entities would be retained for the idle timeout.
/// One repeating sweep per region replaces them. The idle set is also capped (<see cref="MaxIdle"/>): past it the
/// oldest idle entity passivates at once, so a node dialling outside addresses fast (a scanner, a crawler) cannot
/// fill a control member. Entities run on many threads, so this is a small locked structure rather than an actor.
/// </para>
/// </summary>
public sealed class AddressEntityHousekeeper
{
    private readonly object _gate = new();
    private readonly LinkedList<(IActorRef Entity, long SinceMs)> _idle = new();
    private readonly Dictionary<IActorRef, LinkedListNode<(IActorRef Entity, long SinceMs)>> _idleNodes = [];
    private readonly Dictionary<IActorRef, long> _awaiting = [];
    private ICancelable? _sweep;

    public AddressEntityHousekeeper(int maxIdle, TimeSpan idleTimeout, TimeSpan askInterval)
    {
        if (maxIdle < 1)
            throw new ArgumentOutOfRangeException(nameof(maxIdle), maxIdle, "Mesh:Control:MaxIdleAddressEntities must be at least 1");
        if (idleTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idleTimeout, "Mesh:Control:AddressEntityIdle must be positive");
        if (askInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(askInterval), askInterval, "Mesh:Control:EntityAskInterval must be positive");
        MaxIdle = maxIdle;
        IdleTimeout = idleTimeout;
        AskInterval = askInterval;
        var interval = (idleTimeout < askInterval ? idleTimeout : askInterval) / 4;
        SweepInterval = interval < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10)
            : interval > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : interval;
    }

    public int MaxIdle { get; }
    public TimeSpan IdleTimeout { get; }
    public TimeSpan AskInterval { get; }
    public TimeSpan SweepInterval { get; }

    public int IdleCount
    {
        get { lock (_gate) return _idle.Count; }
    }

    private static long NowMs => Environment.TickCount64;

    /// <summary>
    /// <paramref name="entity"/> went idle: it is told <see cref="PassivateIdle"/> after <see cref="IdleTimeout"/>,
    /// or as soon as <see cref="MaxIdle"/> newer entities went idle after it.
    /// </summary>
    public void Idle(IActorRef entity, ActorSystem system)
    {
        IActorRef? evicted = null;
        lock (_gate)
        {
            EnsureSweeping(system);
            if (_idleNodes.ContainsKey(entity)) return;
            _idleNodes[entity] = _idle.AddLast((entity, NowMs));
            if (_idle.Count > MaxIdle)
            {
                evicted = _idle.First!.Value.Entity;
                _idleNodes.Remove(evicted);
                _idle.RemoveFirst();
            }
        }
        evicted?.Tell(PassivateIdle.Instance);
    }

    /// <summary>The entity has a subscriber or a pending answer again: not idle.</summary>
    public void Busy(IActorRef entity)
    {
        lock (_gate)
        {
            if (_idleNodes.Remove(entity, out var node)) _idle.Remove(node);
        }
    }

    /// <summary>The entity has no value yet: it is told <see cref="AskAgain"/> every <see cref="AskInterval"/> until <see cref="GotValue"/>.</summary>
    public void AwaitingValue(IActorRef entity, ActorSystem system)
    {
        lock (_gate)
        {
            EnsureSweeping(system);
            _awaiting[entity] = NowMs;
        }
    }

    public void GotValue(IActorRef entity)
    {
        lock (_gate) _awaiting.Remove(entity);
    }

    /// <summary>The entity stopped: forget it entirely.</summary>
    public void Gone(IActorRef entity)
    {
        lock (_gate)
        {
            _awaiting.Remove(entity);
            if (_idleNodes.Remove(entity, out var node)) _idle.Remove(node);
        }
    }

    private void EnsureSweeping(ActorSystem system)
    {
        if (_sweep is not null) return;
        var cancel = new Cancelable(system.Scheduler);
        system.Scheduler.Advanced.ScheduleRepeatedly(SweepInterval, SweepInterval, Sweep, cancel);
        system.WhenTerminated.ContinueWith(_ => cancel.Cancel(), TaskScheduler.Default);
        _sweep = cancel;
    }

    /// <summary>Runs on the scheduler's thread: collect under the lock, tell outside it.</summary>
    private void Sweep()
    {
        List<IActorRef>? passivate = null;
        List<IActorRef>? ask = null;
        var now = NowMs;
        var idleMs = (long)IdleTimeout.TotalMilliseconds;
        var askMs = (long)AskInterval.TotalMilliseconds;
        lock (_gate)
        {
            // Oldest first: the list is in the order entities went idle.
            while (_idle.First is { } first && now - first.Value.SinceMs >= idleMs)
            {
                (passivate ??= []).Add(first.Value.Entity);
                _idleNodes.Remove(first.Value.Entity);
                _idle.RemoveFirst();
            }
            foreach (var (entity, askedMs) in _awaiting)
                if (now - askedMs >= askMs) (ask ??= []).Add(entity);
            if (ask is not null) foreach (var entity in ask) _awaiting[entity] = now;
        }
        if (passivate is not null) foreach (var entity in passivate) entity.Tell(PassivateIdle.Instance);
        if (ask is not null) foreach (var entity in ask) entity.Tell(AskAgain.Instance);
    }

    /// <summary>Housekeeper → entity: you have been idle long enough (or too many are idle): passivate if still idle.</summary>
    public sealed class PassivateIdle
    {
        public static readonly PassivateIdle Instance = new();
        private PassivateIdle() { }
    }

    /// <summary>Housekeeper → entity: still no value; ask the publishers again.</summary>
    public sealed class AskAgain
    {
        public static readonly AskAgain Instance = new();
        private AskAgain() { }
    }
}
