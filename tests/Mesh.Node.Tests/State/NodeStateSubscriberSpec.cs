using Akka.Actor;
using Akka.TestKit.Xunit2;
using Mesh.Node.State;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Node.Tests.State;

public class NodeStateSubscriberSpec : TestKit
{
    private static NodeSlice Slice(params string[] podNames) => new("node-0",
        podNames.Select((n, i) => new Workload($"Kubernetes//Pod/demo/{n}", n, "demo", ValueList.Of($"10.244.0.{i + 2}"), "", "",
            TunnelProtocol.Hbone, "cluster.local", "default", null, "node-0", n, "latest", WorkloadType.Pod, n, "Kubernetes",
            [], WorkloadStatus.Healthy, [], null)).ToValueList(), [], []);

    [Fact]
    public void Keeps_asking_until_an_entity_answers_then_applies_snapshots()
    {
        var region = CreateTestProbe();
        var store = new NodeViewStore("node-0");
        var subscriber = Sys.ActorOf(Props.Create(() => new NodeStateSubscriber(region.Ref, store, TimeSpan.FromMilliseconds(200))));

        region.ExpectMsg<SubscribeNode>(s => s.Node == "node-0");
        region.ExpectMsg<SubscribeNode>(TimeSpan.FromSeconds(3)); // no answer yet: retried
        Assert.False(store.Synced);

        var entity = CreateTestProbe();
        subscriber.Tell(new NodeSnapshot(Slice("a"), 1), entity.Ref);
        AwaitCondition(() => store.Synced && store.View.Slice.Workloads.Count == 1, TimeSpan.FromSeconds(3));
        Assert.NotNull(store.View.WorkloadsByAddress["10.244.0.2"]);
        region.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // answered: retries stop

        subscriber.Tell(new NodeSnapshot(Slice("a", "b"), 2), entity.Ref);
        AwaitCondition(() => store.View.Slice.Workloads.Count == 2, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Subscribes_again_when_the_entity_goes_away()
    {
        var region = CreateTestProbe();
        var store = new NodeViewStore("node-0");
        var subscriber = Sys.ActorOf(Props.Create(() => new NodeStateSubscriber(region.Ref, store, TimeSpan.FromMilliseconds(200))));
        region.ExpectMsg<SubscribeNode>();
        var entity = CreateTestProbe();
        subscriber.Tell(new NodeSnapshot(Slice("a"), 1), entity.Ref);
        AwaitCondition(() => store.Synced, TimeSpan.FromSeconds(3));
        region.ExpectNoMsg(TimeSpan.FromMilliseconds(400));

        Sys.Stop(entity.Ref); // the control member holding the entity died, or the shard moved

        region.ExpectMsg<SubscribeNode>(TimeSpan.FromSeconds(3));
        var replacement = CreateTestProbe();
        subscriber.Tell(new NodeSnapshot(Slice("a", "b"), 1), replacement.Ref);
        AwaitCondition(() => store.View.Slice.Workloads.Count == 2, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Equal_snapshots_do_not_rebuild_the_view()
    {
        var store = new NodeViewStore("node-0");
        var changes = 0;
        store.Changed += _ => changes++;
        store.Apply(Slice("a"), 1);
        var view = store.View;
        store.Apply(Slice("a"), 7);
        Assert.Same(view, store.View);
        Assert.Equal(1, changes);
    }
}
