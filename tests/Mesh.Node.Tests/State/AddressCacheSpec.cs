using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.Tests.State;

/// <summary>
/// The node's address cache against a stand-in shard region (a probe), with the store on a manual clock, so TTLs,
/// idleness, retries and deadlines are exact. The probe entities answer as the real entity does.
/// </summary>
public class AddressCacheSpec : TestKit
{
    private long _nowMs = 1_000_000;
    private readonly NodeViewStore _store;
    private readonly TestProbe _region;

    public AddressCacheSpec()
    {
        _store = new NodeViewStore("node-1", () => Interlocked.Read(ref _nowMs));
        _region = CreateTestProbe();
    }

    private void Advance(TimeSpan by) => Interlocked.Add(ref _nowMs, (long)by.TotalMilliseconds);

    private static AddressCacheOptions Options(Action<AddressCacheOptions>? change = null)
    {
        var options = new AddressCacheOptions { LookupRetry = TimeSpan.FromMilliseconds(100) };
        change?.Invoke(options);
        return options;
    }

    private IActorRef Cache(AddressCacheOptions options) =>
        Sys.ActorOf(Props.Create(() => new AddressCache(_region.Ref, _store, options)));

    private static AddressRecord Known(string ip, string name = "b") => new(ip, new Workload($"Kubernetes//Pod/demo/{name}", name,
        "demo", ValueList.Of(ip), "", "", TunnelProtocol.Hbone, "cluster.local", "default", null, "node-2", name, "latest",
        WorkloadType.Pod, name, "Kubernetes", [], WorkloadStatus.Healthy, [], null), null, ValueList<Workload>.Empty);

    private Task<AddressRecord> Resolve(IActorRef cache, string ip, double seconds = 10) =>
        cache.Ask<AddressRecord>(new ResolveAddress(ip), TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task A_lookup_nobody_answers_is_sent_again_and_a_later_caller_is_answered()
    {
        var cache = Cache(Options());
        var first = Resolve(cache, "10.244.2.2");
        _region.ExpectMsg<LookupAddress>(l => l.Address == "10.244.2.2" && l.Watch);
        // The entity died before answering. Before the fix the address stayed "waiting" for good and no
        // lookup was ever sent again, so every later caller timed out too.
        Advance(TimeSpan.FromMilliseconds(150));
        var later = Resolve(cache, "10.244.2.2");
        _region.ExpectMsg<LookupAddress>(l => l.Address == "10.244.2.2", TimeSpan.FromSeconds(5));

        var entity = CreateTestProbe();
        cache.Tell(new AddressAnswer(Known("10.244.2.2"), 1), entity.Ref);
        Assert.Equal("b", (await later).Workload?.Name);
        Assert.Equal("b", (await first).Workload?.Name);
    }

    [Fact]
    public async Task A_caller_is_failed_within_the_answer_timeout_when_nothing_ever_answers()
    {
        var cache = Cache(Options(o => o.AnswerTimeout = TimeSpan.FromSeconds(2)));
        var clock = Stopwatch.StartNew();
        var ask = Resolve(cache, "10.244.2.9", seconds: 60);
        _region.ExpectMsg<LookupAddress>();
        Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => ask);
        Assert.Contains("10.244.2.9", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"failed after {clock.Elapsed}, the caller's own timeout was 60 s");

        // Nobody waits any more and nothing is cached: the lookup is dropped, and its late answer is unwatched, not stored.
        _region.ReceiveWhile(TimeSpan.FromMilliseconds(300), m => m);
        var entity = CreateTestProbe();
        cache.Tell(new AddressAnswer(Known("10.244.2.9"), 1), entity.Ref);
        entity.ExpectMsg<UnwatchAddress>(u => u.Address == "10.244.2.9");
        Assert.False(_store.HoldsAddress("10.244.2.9"));
    }

    [Fact]
    public async Task Negative_answers_are_unwatched_and_asked_again_once_their_ttl_is_over()
    {
        var cache = Cache(Options(o => o.NegativeTtl = TimeSpan.FromSeconds(5)));
        var ask = Resolve(cache, "203.0.113.7");
        _region.ExpectMsg<LookupAddress>();
        var entity = CreateTestProbe();
        cache.Tell(new AddressAnswer(AddressRecord.Unknown("203.0.113.7"), 1), entity.Ref);
        Assert.False((await ask).IsKnown);
        entity.ExpectMsg<UnwatchAddress>(u => u.Address == "203.0.113.7"); // its entity may passivate now

        Advance(TimeSpan.FromSeconds(4.9));
        Assert.False((await Resolve(cache, "203.0.113.7")).IsKnown);
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // still within the TTL: answered from the cache

        Advance(TimeSpan.FromMilliseconds(100));
        var again = Resolve(cache, "203.0.113.7");
        _region.ExpectMsg<LookupAddress>(l => l.Address == "203.0.113.7" && l.Watch);
        cache.Tell(new AddressAnswer(Known("203.0.113.7", "new-pod"), 2), entity.Ref);
        Assert.Equal("new-pod", (await again).Workload?.Name);
        entity.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // in the mesh now: watched, not unwatched
    }

    [Fact]
    public async Task A_push_that_crosses_the_unwatch_of_a_negative_answer_subscribes_again()
    {
        var cache = Cache(Options());
        var ask = Resolve(cache, "10.244.2.30");
        _region.ExpectMsg<LookupAddress>();
        var entity = CreateTestProbe();
        cache.Tell(new AddressAnswer(AddressRecord.Unknown("10.244.2.30"), 1), entity.Ref);
        await ask;
        entity.ExpectMsg<UnwatchAddress>();

        // The pod appeared before the entity processed our unwatch: its push still reaches us.
        cache.Tell(new AddressAnswer(Known("10.244.2.30"), 2), entity.Ref);
        entity.ExpectMsg<LookupAddress>(l => l.Address == "10.244.2.30" && l.Watch);
        AwaitCondition(() => _store.TryGetAddress("10.244.2.30", out var r) && r.IsKnown, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task The_least_recently_used_address_is_evicted_and_unwatched_when_the_cache_is_full()
    {
        var cache = Cache(Options(o => o.MaxEntries = 3));
        var entities = new Dictionary<string, TestProbe>();
        foreach (var ip in new[] { "10.244.2.1", "10.244.2.2", "10.244.2.3" })
        {
            var ask = Resolve(cache, ip);
            _region.ExpectMsg<LookupAddress>(l => l.Address == ip);
            entities[ip] = CreateTestProbe();
            cache.Tell(new AddressAnswer(Known(ip), 1), entities[ip].Ref);
            await ask;
            Advance(TimeSpan.FromSeconds(2));
        }
        Assert.True(_store.TryGetAddress("10.244.2.1", out _)); // the data path uses .1 again: .2 is now the oldest
        Advance(TimeSpan.FromSeconds(2));

        var fourth = Resolve(cache, "10.244.2.4");
        _region.ExpectMsg<LookupAddress>(l => l.Address == "10.244.2.4");
        cache.Tell(new AddressAnswer(Known("10.244.2.4"), 1), CreateTestProbe().Ref);
        await fourth;

        entities["10.244.2.2"].ExpectMsg<UnwatchAddress>(u => u.Address == "10.244.2.2");
        Assert.True(_store.AddressCount <= 3, $"{_store.AddressCount} entries, bound 3");
        Assert.False(_store.HoldsAddress("10.244.2.2"));
        Assert.True(_store.HoldsAddress("10.244.2.1"));
        entities["10.244.2.1"].ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // A push the evicted entity sent before it got our unwatch is not stored again.
        cache.Tell(new AddressAnswer(Known("10.244.2.2", "late"), 2), entities["10.244.2.2"].Ref);
        entities["10.244.2.2"].ExpectMsg<UnwatchAddress>();
        Assert.False(_store.HoldsAddress("10.244.2.2"));
    }

    [Fact]
    public async Task An_entry_unused_for_the_idle_timeout_is_evicted_and_unwatched()
    {
        var cache = Cache(Options(o => o.IdleTimeout = TimeSpan.FromMinutes(1)));
        var ask = Resolve(cache, "10.244.2.5");
        _region.ExpectMsg<LookupAddress>();
        var entity = CreateTestProbe();
        cache.Tell(new AddressAnswer(Known("10.244.2.5"), 1), entity.Ref);
        await ask;

        Advance(TimeSpan.FromSeconds(59));
        entity.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        // A push from the control plane is not a use: only the data path's reads keep an entry.
        cache.Tell(new AddressAnswer(Known("10.244.2.5", "b2"), 2), entity.Ref);
        Advance(TimeSpan.FromSeconds(1));
        entity.ExpectMsg<UnwatchAddress>(u => u.Address == "10.244.2.5", TimeSpan.FromSeconds(3));
        Assert.False(_store.HoldsAddress("10.244.2.5"));
    }

    [Fact]
    public async Task When_the_watched_entity_goes_away_the_address_is_looked_up_again_until_answered()
    {
        var cache = Cache(Options());
        var ask = Resolve(cache, "10.244.2.6");
        _region.ExpectMsg<LookupAddress>();
        var entity = CreateTestProbe();
        cache.Tell(new AddressAnswer(Known("10.244.2.6"), 1), entity.Ref);
        await ask;

        Sys.Stop(entity.Ref); // rebalanced, or its control member died
        _region.ExpectMsg<LookupAddress>(l => l.Address == "10.244.2.6", TimeSpan.FromSeconds(3));
        Assert.True(_store.TryGetAddress("10.244.2.6", out _)); // the old value keeps serving meanwhile
        Advance(TimeSpan.FromSeconds(1.5)); // the replacement has not answered: asked again (backing off)
        _region.ExpectMsg<LookupAddress>(l => l.Address == "10.244.2.6", TimeSpan.FromSeconds(3));

        var replacement = CreateTestProbe();
        cache.Tell(new AddressAnswer(Known("10.244.2.6", "b2"), 1), replacement.Ref);
        AwaitCondition(() => _store.TryGetAddress("10.244.2.6", out var r) && r.Workload?.Name == "b2", TimeSpan.FromSeconds(3));
        Advance(TimeSpan.FromMinutes(1));
        _region.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // answered: no more lookups
    }

    [Fact]
    public void Restored_addresses_beyond_the_bound_are_evicted_at_start_and_the_rest_refreshed()
    {
        _store.Restore(NodeSlice.EmptyFor("node-1"), Enumerable.Range(1, 20).Select(i => Known($"10.244.3.{i}")));
        Cache(Options(o => o.MaxEntries = 10));
        var lookups = _region.ReceiveN(9, TimeSpan.FromSeconds(3)).Cast<LookupAddress>().ToList();
        Assert.True(_store.AddressCount <= 10, $"{_store.AddressCount} entries, bound 10");
        Assert.All(lookups, l => Assert.True(_store.HoldsAddress(l.Address)));
    }

    [Theory]
    [InlineData(nameof(AddressCacheOptions.MaxEntries))]
    [InlineData(nameof(AddressCacheOptions.NegativeTtl))]
    [InlineData(nameof(AddressCacheOptions.IdleTimeout))]
    [InlineData(nameof(AddressCacheOptions.LookupRetry))]
    [InlineData(nameof(AddressCacheOptions.AnswerTimeout))]
    public void Settings_that_cannot_work_are_refused_naming_the_setting(string setting)
    {
        var options = new AddressCacheOptions();
        if (setting == nameof(AddressCacheOptions.MaxEntries)) options.MaxEntries = 0;
        else typeof(AddressCacheOptions).GetProperty(setting)!.SetValue(options, TimeSpan.Zero);
        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains($"Mesh:Node:AddressCache:{setting}", error.Message);
    }
}
