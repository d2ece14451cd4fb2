using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Mesh.Control.Distribution;
using Mesh.Hosting.Sharding;
using Mesh.Protocol.Contracts;
using static Mesh.Control.Tests.Distribution.TestState;

namespace Mesh.Control.Tests.Distribution;

/// <summary>
/// Address entities in real cluster sharding live only while someone watches them: unwatched or orphaned ones
/// passivate after the idle timeout, idle ones beyond the cap at once, and a later lookup brings one back.
/// </summary>
public class AddressEntityPassivationSpec : SingleMemberClusterSpec
{
    private static readonly TimeSpan Ask = TimeSpan.FromMilliseconds(300);

    private IActorRef StartRegion(AddressEntityHousekeeper housekeeper) => ClusterSharding.Get(Sys).Start(EntityTypes.AddressState,
        address => Props.Create(() => new AddressStateEntity(address, housekeeper)),
        ClusterSharding.Get(Sys).Settings.WithRole("control"), new AddressStateExtractor());

    private static async Task<int> LiveEntities(IActorRef region) =>
        (await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(10))).Stats.Values.Sum();

    [Fact]
    public async Task An_unwatched_entity_passivates_a_watched_one_stays_and_a_later_lookup_brings_it_back()
    {
        var housekeeper = new AddressEntityHousekeeper(100, TimeSpan.FromMilliseconds(500), Ask);
        var region = StartRegion(housekeeper);
        var publisher = Sys.ActorOf(Props.Create(() => new StatePublisher(CreateTestProbe().Ref, region)));
        publisher.Tell(new PublishState([Workload("demo", "a", "node-1", "10.244.1.2"), Workload("demo", "b", "node-1", "10.244.1.3")], [], []));

        var nodeA = CreateTestProbe();
        var nodeB = CreateTestProbe();
        region.Tell(new LookupAddress("10.244.1.2", Watch: true), nodeA.Ref);
        region.Tell(new LookupAddress("10.244.1.3", Watch: true), nodeB.Ref);
        Assert.Equal("a", nodeA.ExpectMsg<AddressAnswer>(TimeSpan.FromSeconds(10)).Record.Workload?.Name);
        var entityA = nodeA.LastSender;
        Assert.Equal("b", nodeB.ExpectMsg<AddressAnswer>(TimeSpan.FromSeconds(10)).Record.Workload?.Name);
        var entityB = nodeB.LastSender;

        Watch(entityA);
        Watch(entityB);
        entityB.Tell(new UnwatchAddress("10.244.1.3"), nodeB.Ref); // node B evicted the address
        ExpectTerminated(entityB, TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(1500)); // three idle timeouts: the watched entity is still there
        Assert.Equal(1, await LiveEntities(region));

        // Looked up again: a new entity asks the publishers and answers.
        region.Tell(new LookupAddress("10.244.1.3", Watch: true), nodeB.Ref);
        Assert.Equal("b", nodeB.ExpectMsg<AddressAnswer>(TimeSpan.FromSeconds(10)).Record.Workload?.Name);
        Assert.NotEqual(entityB, nodeB.LastSender);

        // And the watched one still pushes changes.
        publisher.Tell(new PublishState([Workload("demo", "a2", "node-1", "10.244.1.2"), Workload("demo", "b", "node-1", "10.244.1.3")], [], []));
        Assert.Equal("a2", nodeA.FishForMessage<AddressAnswer>(a => a.Record.Workload?.Name == "a2", TimeSpan.FromSeconds(10)).Record.Workload?.Name);
    }

    [Fact]
    public void An_entity_whose_only_watcher_dies_passivates()
    {
        var region = StartRegion(new AddressEntityHousekeeper(100, TimeSpan.FromMilliseconds(500), Ask));
        var node = CreateTestProbe();
        region.Tell(new PutAddress(AddressRecord.Unknown("198.18.0.1")));
        region.Tell(new LookupAddress("198.18.0.1", Watch: true), node.Ref);
        node.ExpectMsg<AddressAnswer>(TimeSpan.FromSeconds(10));
        var entity = node.LastSender;
        Watch(entity);
        ExpectNoMsg(TimeSpan.FromMilliseconds(1000)); // watched: stays

        Sys.Stop(node.Ref); // the node member is gone
        ExpectTerminated(entity, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Idle_entities_beyond_the_cap_passivate_at_once_not_after_the_idle_timeout()
    {
        var housekeeper = new AddressEntityHousekeeper(5, TimeSpan.FromMinutes(10), Ask);
        var region = StartRegion(housekeeper);
        // What a publisher does for every address of a large mesh: each push starts an entity nobody watches.
        for (var i = 0; i < 50; i++) region.Tell(new PutAddress(AddressRecord.Unknown($"198.18.1.{i}")));

        await AwaitConditionAsync(async () => await LiveEntities(region) <= 5, TimeSpan.FromSeconds(10));
        Assert.True(housekeeper.IdleCount <= 5, $"{housekeeper.IdleCount} idle entities, cap 5");
    }

    [Fact]
    public void An_entity_without_a_value_keeps_asking_the_publishers()
    {
        var region = StartRegion(new AddressEntityHousekeeper(100, TimeSpan.FromSeconds(10), Ask));
        var publishers = CreateTestProbe();
        DistributedPubSub.Get(Sys).Mediator.Tell(new Subscribe(Topics.StatePublishers, publishers.Ref), publishers.Ref);
        publishers.ExpectMsg<SubscribeAck>();

        region.Tell(new LookupAddress("10.244.9.9", Watch: true), CreateTestProbe().Ref);
        publishers.ExpectMsg<NeedAddress>(n => n.Address == "10.244.9.9", TimeSpan.FromSeconds(5));
        publishers.ExpectMsg<NeedAddress>(n => n.Address == "10.244.9.9", TimeSpan.FromSeconds(5)); // nobody answered: asked again
        publishers.LastSender.Tell(new PutAddress(AddressRecord.Unknown("10.244.9.9")));
        publishers.ReceiveWhile(TimeSpan.FromMilliseconds(300), m => m); // an ask already on its way
        publishers.ExpectNoMsg(TimeSpan.FromMilliseconds(1000)); // answered: no more asking
    }

    [Theory]
    [InlineData(0, 1000, 300, "MaxIdleAddressEntities")]
    [InlineData(5, 0, 300, "AddressEntityIdle")]
    [InlineData(5, 1000, 0, "EntityAskInterval")]
    public void Settings_that_cannot_work_are_refused_naming_the_setting(int maxIdle, int idleMs, int askMs, string setting)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AddressEntityHousekeeper(maxIdle, TimeSpan.FromMilliseconds(idleMs), TimeSpan.FromMilliseconds(askMs)));
        Assert.Contains($"Mesh:Control:{setting}", error.Message);
    }
}
