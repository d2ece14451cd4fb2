using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using Mesh.Control.Distribution;
using Mesh.Hosting.Sharding;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using Xunit.Abstractions;

namespace Mesh.Node.Tests.State;

/// <summary>
/// The node's address cache against the real control-side address entities in cluster sharding (one process):
/// an entity that stops before answering does not hang the address, and dialling 100,000 distinct outside
/// addresses keeps both the node cache and the live entities under their configured bounds while a watched
/// mesh address still gets its updates.
/// </summary>
[Collection(nameof(AddressBoundsSpec))]
public class AddressBoundsSpec : TestKit
{
    private const string ClusterConfig = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [control]
        akka.cluster.sharding.state-store-mode = ddata
        akka.cluster.sharding.remember-entities = off
        akka.cluster.sharding.passivate-idle-entity-after = off
        akka.cluster.pub-sub.role = control
        akka.log-dead-letters = off
        """;

    // Control side, as ControlHosting sets it up but with smaller numbers.
    private const int MaxIdleEntities = 500;
    private static readonly TimeSpan EntityIdle = TimeSpan.FromSeconds(2);
    // Node side.
    private const int MaxEntries = 1_000;
    private const int Concurrency = 64;

    private readonly ITestOutputHelper _output;
    private readonly IActorRef _addressRegion;
    private readonly IActorRef _publisher;
    private readonly AddressEntityHousekeeper _housekeeper = new(MaxIdleEntities, EntityIdle, TimeSpan.FromMilliseconds(300));

    public AddressBoundsSpec(ITestOutputHelper output) : base(ClusterConfig)
    {
        _output = output;
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(10));
        var settings = ClusterSharding.Get(Sys).Settings.WithRole("control");
        var nodeRegion = ClusterSharding.Get(Sys).Start(EntityTypes.NodeState,
            node => Props.Create(() => new NodeStateEntity(node, TimeSpan.FromMilliseconds(300))), settings, new NodeStateExtractor());
        _addressRegion = ClusterSharding.Get(Sys).Start(EntityTypes.AddressState,
            address => Props.Create(() => new AddressStateEntity(address, _housekeeper)), settings, new AddressStateExtractor());
        _publisher = Sys.ActorOf(Props.Create(() => new StatePublisher(nodeRegion, _addressRegion)));
    }

    private static Workload Pod(string name, string node, string ip) => new($"Kubernetes//Pod/demo/{name}", name, "demo",
        ValueList.Of(ip), "", "", TunnelProtocol.Hbone, "cluster.local", "default", null, node, name, "latest",
        WorkloadType.Pod, name, "Kubernetes", [], WorkloadStatus.Healthy, [], null);

    private async Task<int> LiveAddressEntities()
    {
        var stats = await _addressRegion.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(10));
        return stats.Stats.Values.Sum();
    }

    /// <summary>The i-th address of 198.18.0.0/15 (RFC 2544's benchmarking range: never in the mesh, and nothing is sent to it).</summary>
    private static string Outside(int i) => $"198.{18 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}";

    [Fact]
    public async Task A_lookup_whose_entity_stops_before_answering_is_answered_once_an_entity_can_answer()
    {
        var store = new NodeViewStore("node-1");
        var cache = Sys.ActorOf(Props.Create(() => new AddressCache(_addressRegion, store,
            new AddressCacheOptions { LookupRetry = TimeSpan.FromMilliseconds(300) })));

        // No state published yet: the entity starts, asks the publishers, and nobody answers.
        var first = cache.Ask<AddressRecord>(new ResolveAddress("10.244.2.2"), TimeSpan.FromSeconds(30));
        IActorRef? entity = null;
        await AwaitAssertAsync(async () => entity = await Sys.ActorSelection($"/system/sharding/{EntityTypes.AddressState}/*/10.244.2.2")
            .ResolveOne(TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(10));
        Watch(entity!);
        Sys.Stop(entity!); // lost before answering, as when its control member dies
        ExpectTerminated(entity!);

        _publisher.Tell(new PublishState([Pod("b", "node-2", "10.244.2.2")], [], []));
        var clock = Stopwatch.StartNew();
        var later = await cache.Ask<AddressRecord>(new ResolveAddress("10.244.2.2"), TimeSpan.FromSeconds(15));
        Assert.Equal("b", later.Workload?.Name);
        Assert.Equal("b", (await first).Workload?.Name);
        _output.WriteLine($"answered {clock.ElapsedMilliseconds} ms after the state was published");

        // And it is watched again: a change is pushed into the store without asking.
        _publisher.Tell(new PublishState([Pod("b2", "node-2", "10.244.2.2")], [], []));
        AwaitCondition(() => store.TryGetAddress("10.244.2.2", out var r) && r.Workload?.Name == "b2", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Dialling_100000_outside_addresses_keeps_the_node_cache_and_the_control_entities_bounded()
    {
        const int total = 100_000;
        const string mesh = "10.244.2.2";
        var store = new NodeViewStore("node-1");
        var options = new AddressCacheOptions { MaxEntries = MaxEntries, NegativeTtl = TimeSpan.FromSeconds(1) };
        var cache = Sys.ActorOf(Props.Create(() => new AddressCache(_addressRegion, store, options)));
        _publisher.Tell(new PublishState([Pod("b", "node-2", mesh)], [], []));
        Assert.Equal("b", (await cache.Ask<AddressRecord>(new ResolveAddress(mesh), TimeSpan.FromSeconds(10))).Workload?.Name);

        var maxEntries = 0;
        var maxEntities = 0;
        long heapAtWarmup = 0;
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task<AddressRecord>>(Concurrency);
        for (var i = 0; i < total; i += Concurrency)
        {
            inFlight.Clear();
            for (var j = i; j < Math.Min(total, i + Concurrency); j++)
                inFlight.Add(cache.Ask<AddressRecord>(new ResolveAddress(Outside(j)), TimeSpan.FromSeconds(30)));
            foreach (var record in await Task.WhenAll(inFlight)) Assert.False(record.IsKnown, $"{record.Address} is not in the mesh");

            Assert.True(store.TryGetAddress(mesh, out _), $"the mesh address was evicted after {i} outside lookups"); // a live connection uses it
            maxEntries = Math.Max(maxEntries, store.AddressCount);
            if (i / Concurrency % 32 == 0) maxEntities = Math.Max(maxEntities, await LiveAddressEntities());
            if (heapAtWarmup == 0 && i >= 10_000) heapAtWarmup = GC.GetTotalMemory(forceFullCollection: true);
        }
        var elapsed = clock.Elapsed;
        var heapAtEnd = GC.GetTotalMemory(forceFullCollection: true);
        maxEntities = Math.Max(maxEntities, await LiveAddressEntities());
        _output.WriteLine($"{total} outside lookups in {elapsed.TotalSeconds:0.0} s ({total / elapsed.TotalSeconds:0}/s), {Concurrency} at a time");
        _output.WriteLine($"node cache: max {maxEntries} entries (bound {MaxEntries}); control: max {maxEntities} live address entities " +
            $"(idle bound {MaxIdleEntities}, + {Concurrency} lookups in flight + 1 watched)");
        _output.WriteLine($"managed heap after 10,000 lookups {heapAtWarmup / 1024 / 1024.0:0.0} MiB, after {total} {heapAtEnd / 1024 / 1024.0:0.0} MiB");

        Assert.True(maxEntries <= MaxEntries, $"node cache reached {maxEntries} entries, bound {MaxEntries}");
        // Idle entities are capped by the budget; the rest hold a subscriber (the watched mesh address, lookups in flight)
        // or have just been asked to passivate. Without the bound this grows to the number of addresses dialled.
        var entityBound = MaxIdleEntities + 2 * Concurrency + 1;
        Assert.True(maxEntities <= entityBound, $"{maxEntities} live address entities, bound {entityBound}");
        var growth = heapAtEnd - heapAtWarmup;
        Assert.True(growth < 16 * 1024 * 1024, $"managed heap grew {growth / 1024 / 1024.0:0.0} MiB from 10,000 to {total} lookups");

        // The watched mesh address still gets live updates, pushed by its entity: nothing asks for it again.
        _publisher.Tell(new PublishState([Pod("b2", "node-2", mesh)], [], []));
        AwaitCondition(() => store.TryGetAddress(mesh, out var r) && r.Workload?.Name == "b2", TimeSpan.FromSeconds(10));

        // Once the flood is over everything it left is released: negative answers expire, idle entities passivate,
        // and what remains is the one address a node watches.
        AwaitCondition(() => store.AddressCount == 1, TimeSpan.FromSeconds(10));
        await AwaitConditionAsync(async () => await LiveAddressEntities() == 1, TimeSpan.FromSeconds(20));
        Assert.Equal(0, _housekeeper.IdleCount);
    }
}

/// <summary>Runs alone, after the parallel tests: the heap measurement is of the whole process.</summary>
[CollectionDefinition(nameof(AddressBoundsSpec), DisableParallelization = true)]
public sealed class AddressBoundsCollection;
