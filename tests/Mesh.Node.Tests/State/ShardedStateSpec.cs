using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.TestKit.Xunit2;
using Mesh.Control.Distribution;
using Mesh.Hosting.Sharding;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.Tests.State;

/// <summary>
/// The whole distribution path in one process with real cluster sharding: publisher → sharded entity →
/// node subscriber → node view, including an entity restart (as after losing the control member holding it).
/// </summary>
public class ShardedStateSpec : TestKit
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
        """;

    private readonly IActorRef _nodeRegion;
    private readonly IActorRef _addressRegion;
    private readonly IActorRef _publisher;

    public ShardedStateSpec() : base(ClusterConfig)
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, TimeSpan.FromSeconds(10));
        var settings = ClusterSharding.Get(Sys).Settings.WithRole("control");
        var ask = TimeSpan.FromMilliseconds(300);
        _nodeRegion = ClusterSharding.Get(Sys).Start(EntityTypes.NodeState,
            node => Props.Create(() => new NodeStateEntity(node, ask)), settings, new NodeStateExtractor());
        _addressRegion = ClusterSharding.Get(Sys).Start(EntityTypes.AddressState,
            address => Props.Create(() => new AddressStateEntity(address, ask)), settings, new AddressStateExtractor());
        _publisher = Sys.ActorOf(Props.Create(() => new StatePublisher(_nodeRegion, _addressRegion)));
    }

    private static Workload Pod(string name, string node, string ip) => new($"Kubernetes//Pod/demo/{name}", name, "demo",
        ValueList.Of(ip), "", "", TunnelProtocol.Hbone, "cluster.local", "default", null, node, name, "latest",
        WorkloadType.Pod, name, "Kubernetes", [], WorkloadStatus.Healthy, [], null);

    [Fact]
    public async Task A_node_receives_its_slice_and_changes_even_after_its_entity_restarts()
    {
        var store = new NodeViewStore("node-1");
        Sys.ActorOf(Props.Create(() => new NodeStateSubscriber(_nodeRegion, store, TimeSpan.FromMilliseconds(300))));

        _publisher.Tell(new PublishState([Pod("a", "node-1", "10.244.1.2"), Pod("b", "node-2", "10.244.2.2")], [], []));
        AwaitCondition(() => store.View.Slice.Workloads.Select(w => w.Name).SequenceEqual(["a"]), TimeSpan.FromSeconds(10));

        // Stop the entity the way a lost control member would: it comes back empty, asks the publisher, and the
        // subscriber (watching it) subscribes again.
        var entity = await Sys.ActorSelection($"/system/sharding/{EntityTypes.NodeState}/*/node-1")
            .ResolveOne(TimeSpan.FromSeconds(3));
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);

        _publisher.Tell(new PublishState([Pod("a", "node-1", "10.244.1.2"), Pod("c", "node-1", "10.244.1.3")], [], []));
        AwaitCondition(() => store.View.Slice.Workloads.Select(w => w.Name).SequenceEqual(["a", "c"]), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Remote_addresses_are_resolved_on_demand_and_kept_fresh()
    {
        var store = new NodeViewStore("node-1");
        var cache = Sys.ActorOf(Props.Create(() => new AddressCache(_addressRegion, store)));
        _publisher.Tell(new PublishState([Pod("b", "node-2", "10.244.2.2")], [], []));

        var record = await cache.Ask<AddressRecord>(new ResolveAddress("10.244.2.2"), TimeSpan.FromSeconds(10));
        Assert.Equal("b", record.Workload?.Name);

        _publisher.Tell(new PublishState([Pod("b2", "node-2", "10.244.2.2")], [], []));
        AwaitCondition(() => store.TryGetAddress("10.244.2.2", out var r) && r.Workload?.Name == "b2", TimeSpan.FromSeconds(10));

        var unknown = await cache.Ask<AddressRecord>(new ResolveAddress("192.0.2.7"), TimeSpan.FromSeconds(10));
        Assert.False(unknown.IsKnown);
    }
}
