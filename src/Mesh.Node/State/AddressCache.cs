using Akka.Actor;
using Akka.Event;
using Mesh.Protocol.Contracts;

namespace Mesh.Node.State;

/// <summary>Local request: resolve an address through the control plane (cached, kept fresh by watching).</summary>
public sealed record ResolveAddress(string Address);

/// <summary>
/// Resolves remote destinations on demand and owns the address half of <see cref="NodeViewStore"/>. The first lookup
/// of an address asks its sharded address entity (<c>LookupAddress(Watch: true)</c>); the data path then reads the
/// store only. Bounded, so dialling any number of outside addresses keeps memory flat here and on the control plane
/// (<see cref="AddressCacheOptions"/>):
/// <list type="bullet">
/// <item>in-mesh answers are watched: the entity pushes changes, and when it goes away the address is looked up again;</item>
/// <item>negative answers are unwatched at once and believed for <see cref="AddressCacheOptions.NegativeTtl"/>;</item>
/// <item>at most <see cref="AddressCacheOptions.MaxEntries"/> entries, and none unused for
/// <see cref="AddressCacheOptions.IdleTimeout"/>; an evicted address is unwatched so its entity can passivate;</item>
/// <item>a lookup not answered is sent again every <see cref="AddressCacheOptions.LookupRetry"/> (its entity may have
/// stopped before answering), and every caller is answered or failed within <see cref="AddressCacheOptions.AnswerTimeout"/>.</item>
/// </list>
/// </summary>
public sealed class AddressCache : ReceiveActor, IWithTimers
{
    private const string SweepTimer = "sweep";
    private static readonly TimeSpan MaxRefreshBackoff = TimeSpan.FromSeconds(30);

    private readonly IActorRef _region;
    private readonly NodeViewStore _store;
    private readonly AddressCacheOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, PendingLookup> _pending = new(StringComparer.Ordinal);
    // One entity per address (the entity id is the address), so the watch bookkeeping is a pair of maps.
    private readonly Dictionary<string, IActorRef> _entityOf = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _addressOf = [];
    private long _lastTimeoutWarningMs = long.MinValue;

    public AddressCache(IActorRef region, NodeViewStore store) : this(region, store, new AddressCacheOptions()) { }

    public AddressCache(IActorRef region, NodeViewStore store, AddressCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _region = region;
        _store = store;
        _options = options;

        Receive<ResolveAddress>(Resolve);
        Receive<AddressAnswer>(OnAnswer);
        Receive<Terminated>(OnEntityGone);
        Receive<Sweep>(_ => OnSweep());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Addresses with a lookup in flight (tests and diagnostics).</summary>
    private int PendingCount => _pending.Count;

    protected override void PreStart()
    {
        // Addresses restored from the state cache are refreshed (and watched) as soon as the cluster answers.
        MakeRoom(incoming: 0);
        foreach (var address in _store.CachedAddresses.ToList()) StartLookup(address);
        Timers.StartPeriodicTimer(SweepTimer, Sweep.Instance, _options.SweepInterval);
    }

    private void Resolve(ResolveAddress resolve)
    {
        if (_store.TryGetAddress(resolve.Address, out var known))
        {
            Sender.Tell(known);
            return;
        }
        var pending = StartLookup(resolve.Address);
        if (pending.Waiters.Count == 0 && pending.NextRetryMs > _store.NowMs + Ms(_options.LookupRetry))
        {
            // A background refresh backing off: a caller now waits, so retry at the callers' pace again.
            pending.Attempts = 0;
            pending.NextRetryMs = _store.NowMs + Ms(_options.LookupRetry);
        }
        pending.Waiters.Add(new Waiter(Sender, _store.NowMs + Ms(_options.AnswerTimeout)));
    }

    private void OnAnswer(AddressAnswer answer)
    {
        var record = answer.Record;
        var address = record.Address;
        var entity = Sender;
        var wasPending = _pending.Remove(address, out var pending);
        _entityOf.TryGetValue(address, out var watched);
        var held = _store.HoldsAddress(address);

        if (!wasPending && watched is null && !held)
        {
            // Evicted, or given up on before the answer came: do not resurrect it, and stop the entity pushing to us.
            entity.Tell(new UnwatchAddress(address));
            return;
        }

        var asked = pending is { Waiters.Count: > 0 };
        if (!held) MakeRoom(incoming: 1);
        if (record.IsKnown)
        {
            _store.PutAddress(record, long.MaxValue, used: asked);
            if (!Equals(watched, entity))
            {
                if (watched is not null) Unwatch(address, watched);
                _entityOf[address] = entity;
                _addressOf[entity] = address;
                Context.Watch(entity);
                // Not our lookup's answer: a push that crossed our unwatch (the address was negative a moment ago).
                // Subscribe again, or later changes would not reach us.
                if (!wasPending) entity.Tell(new LookupAddress(address, Watch: true));
            }
        }
        else
        {
            _store.PutAddress(record, _store.NowMs + Ms(_options.NegativeTtl), used: asked);
            if (watched is not null && !Equals(watched, entity)) Unwatch(address, watched);
            else if (watched is not null) Forget(address, watched);
            entity.Tell(new UnwatchAddress(address)); // negative answers are asked again after the TTL, not watched
        }

        if (pending is not null)
            foreach (var waiter in pending.Waiters) waiter.Caller.Tell(record);
    }

    private void OnEntityGone(Terminated terminated)
    {
        if (!_addressOf.Remove(terminated.ActorRef, out var address)) return;
        _entityOf.Remove(address);
        // Rebalanced, passivated in a race with our lookup, or its control member died: the cached value keeps
        // serving while the address is looked up again.
        if (_store.HoldsAddress(address)) StartLookup(address);
    }

    private void OnSweep()
    {
        var now = _store.NowMs;
        var timedOut = 0;
        List<string>? done = null;
        foreach (var (address, pending) in _pending)
        {
            timedOut += pending.Waiters.RemoveAll(waiter =>
            {
                if (waiter.DeadlineMs > now) return false;
                waiter.Caller.Tell(new Status.Failure(new AskTimeoutException(
                    $"the control plane did not answer the lookup of {address} within {_options.AnswerTimeout.TotalSeconds:0.###} s")));
                return true;
            });
            if (pending.Waiters.Count == 0 && !_store.HoldsAddress(address))
            {
                // Nobody waits and nothing is cached: give up. A late answer is unwatched when it comes.
                (done ??= []).Add(address);
                continue;
            }
            if (now < pending.NextRetryMs) continue;
            pending.Attempts++;
            Send(address, pending, now);
        }
        if (done is not null) foreach (var address in done) _pending.Remove(address);
        if (timedOut > 0 && now - _lastTimeoutWarningMs >= Ms(_options.AnswerTimeout))
        {
            _lastTimeoutWarningMs = now;
            _log.Warning("{0} address lookups got no answer from the control plane within {1}; {2} still in flight",
                timedOut, _options.AnswerTimeout, PendingCount);
        }

        var idleMs = Ms(_options.IdleTimeout);
        List<string>? evict = null;
        foreach (var entry in _store.AddressEntries())
            if (now >= entry.ExpiresAtMs || now - entry.LastUsedMs >= idleMs) (evict ??= []).Add(entry.Address);
        if (evict is not null) foreach (var address in evict) Evict(address);
    }

    /// <summary>Evicts so that <paramref name="incoming"/> new entries fit under the bound: expired first, then negative, then least recently used.</summary>
    private void MakeRoom(int incoming)
    {
        var max = _options.MaxEntries;
        if (_store.AddressCount + incoming <= max) return;
        // Down to 90% in one pass, so a stream of new addresses pays one sort per tenth of the cache, not per lookup.
        var target = Math.Max(0, Math.Min(max - incoming, max - Math.Max(1, max / 10)));
        var now = _store.NowMs;
        var victims = _store.AddressEntries()
            .OrderBy(e => now >= e.ExpiresAtMs ? 0 : e.IsKnown ? 2 : 1)
            .ThenBy(e => e.LastUsedMs)
            .Take(_store.AddressCount - target)
            .Select(e => e.Address)
            .ToList();
        foreach (var address in victims) Evict(address);
    }

    private void Evict(string address)
    {
        _store.RemoveAddress(address);
        if (_entityOf.TryGetValue(address, out var entity)) Unwatch(address, entity);
        if (_pending.TryGetValue(address, out var pending) && pending.Waiters.Count == 0) _pending.Remove(address);
    }

    private void Unwatch(string address, IActorRef entity)
    {
        Forget(address, entity);
        entity.Tell(new UnwatchAddress(address));
    }

    private void Forget(string address, IActorRef entity)
    {
        Context.Unwatch(entity);
        _addressOf.Remove(entity);
        _entityOf.Remove(address);
    }

    private PendingLookup StartLookup(string address)
    {
        if (_pending.TryGetValue(address, out var pending)) return pending;
        _pending[address] = pending = new PendingLookup();
        Send(address, pending, _store.NowMs);
        return pending;
    }

    private void Send(string address, PendingLookup pending, long now)
    {
        _region.Tell(new LookupAddress(address, Watch: true));
        var wait = pending.Waiters.Count > 0
            ? _options.LookupRetry
            : TimeSpan.FromTicks(Math.Min(MaxRefreshBackoff.Ticks, _options.LookupRetry.Ticks << Math.Min(pending.Attempts, 16)));
        pending.NextRetryMs = now + Ms(wait);
    }

    private static long Ms(TimeSpan span) => (long)span.TotalMilliseconds;

    private sealed record Waiter(IActorRef Caller, long DeadlineMs);

    private sealed class PendingLookup
    {
        public List<Waiter> Waiters { get; } = [];
        public int Attempts { get; set; }
        public long NextRetryMs { get; set; }
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }
}
