using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Mesh.Control.Distribution;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Distribution.TestState;

namespace Mesh.Control.Tests.Distribution;

public class NodeStateEntitySpec : SingleMemberClusterSpec
{
    private static NodeSlice Slice(params Workload[] workloads) =>
        new("node-0", workloads.ToValueList(), ValueList<Service>.Empty, ValueList<Authorization>.Empty);

    [Fact]
    public void A_started_entity_asks_the_publishers_for_its_slice_until_one_answers()
    {
        var publisher = CreateTestProbe();
        DistributedPubSub.Get(Sys).Mediator.Tell(new Subscribe(Topics.StatePublishers, publisher.Ref), publisher.Ref);
        publisher.ExpectMsg<SubscribeAck>();

        var entity = Sys.ActorOf(Props.Create(() => new NodeStateEntity("node-0", TimeSpan.FromMilliseconds(200))));

        publisher.ExpectMsg<NeedNodeSlice>(n => n.Node == "node-0");
        publisher.ExpectMsg<NeedNodeSlice>(TimeSpan.FromSeconds(3)); // still no answer: asks again
        publisher.Reply(new PutNodeSlice(Slice()));
        publisher.ExpectNoMsg(TimeSpan.FromMilliseconds(600)); // answered: stops asking
        entity.Tell(new SubscribeNode("node-0"));
        ExpectMsg<NodeSnapshot>(s => s.Slice.Workloads.Count == 0 && s.Version == 1);
    }

    [Fact]
    public void Subscribers_get_the_current_slice_and_every_change_but_not_repeats()
    {
        var entity = Sys.ActorOf(Props.Create(() => new NodeStateEntity("node-0", TimeSpan.FromSeconds(30))));
        var subscriber = CreateTestProbe();
        var first = Slice(Workload("demo", "a", "node-0", "10.244.0.2"));

        entity.Tell(new SubscribeNode("node-0"), subscriber.Ref);
        subscriber.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing known yet
        entity.Tell(new PutNodeSlice(first));
        Assert.Equal(first, subscriber.ExpectMsg<NodeSnapshot>().Slice);

        entity.Tell(new PutNodeSlice(first with { })); // the other replica pushes the same content
        subscriber.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var second = Slice(Workload("demo", "a", "node-0", "10.244.0.2"), Workload("demo", "b", "node-0", "10.244.0.3"));
        entity.Tell(new PutNodeSlice(second));
        var snapshot = subscriber.ExpectMsg<NodeSnapshot>();
        Assert.Equal(second, snapshot.Slice);
        Assert.Equal(2, snapshot.Version);
    }

    [Fact]
    public void A_dead_subscriber_is_forgotten()
    {
        var entity = Sys.ActorOf(Props.Create(() => new NodeStateEntity("node-0", TimeSpan.FromSeconds(30))));
        var dying = CreateTestProbe();
        var living = CreateTestProbe();
        entity.Tell(new PutNodeSlice(Slice()));
        entity.Tell(new SubscribeNode("node-0"), dying.Ref);
        entity.Tell(new SubscribeNode("node-0"), living.Ref);
        dying.ExpectMsg<NodeSnapshot>();
        living.ExpectMsg<NodeSnapshot>();
        Watch(dying.Ref);
        Sys.Stop(dying.Ref);
        ExpectTerminated(dying.Ref);

        entity.Tell(new PutNodeSlice(Slice(Workload("demo", "a", "node-0", "10.244.0.2"))));
        living.ExpectMsg<NodeSnapshot>(s => s.Version == 2);
    }
}
