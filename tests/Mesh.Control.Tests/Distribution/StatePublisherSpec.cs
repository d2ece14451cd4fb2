using Akka.Actor;
using Mesh.Control.Distribution;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Distribution.TestState;

namespace Mesh.Control.Tests.Distribution;

public class StatePublisherSpec : SingleMemberClusterSpec
{
    private readonly Akka.TestKit.TestProbe _nodes;
    private readonly Akka.TestKit.TestProbe _addresses;
    private readonly IActorRef _publisher;

    public StatePublisherSpec()
    {
        _nodes = CreateTestProbe();
        _addresses = CreateTestProbe();
        _publisher = Sys.ActorOf(Props.Create(() => new StatePublisher(_nodes.Ref, _addresses.Ref)));
    }

    private static PublishState State(params Workload[] workloads) =>
        new(workloads.ToValueList(), ValueList.Of(Service("demo", "echo", "10.96.0.10")), ValueList<Authorization>.Empty);

    [Fact]
    public void Sends_only_what_changed()
    {
        var a = Workload("demo", "a", "node-0", "10.244.0.2", "echo");
        var b = Workload("demo", "b", "node-1", "10.244.1.2", "echo");
        _publisher.Tell(State(a, b));
        Assert.Equal(["node-0", "node-1"], _nodes.ReceiveN(2).Cast<PutNodeSlice>().Select(p => p.Node).Order());
        Assert.Equal(["10.244.0.2", "10.244.1.2", "10.96.0.10", "echo.demo.svc.cluster.local"],
            _addresses.ReceiveN(4).Cast<PutAddress>().Select(p => p.Address).Order());

        _publisher.Tell(State(a, b));
        _nodes.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        _addresses.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        var b2 = b with { Status = WorkloadStatus.Unhealthy };
        _publisher.Tell(State(a, b2));
        Assert.Equal("node-1", _nodes.ExpectMsg<PutNodeSlice>().Node);
        var changed = _addresses.ReceiveN(3).Cast<PutAddress>().Select(p => p.Address).Order();
        Assert.Equal(["10.244.1.2", "10.96.0.10", "echo.demo.svc.cluster.local"], changed); // the pod, and the service (VIP, name) whose endpoint changed
        _nodes.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_node_whose_last_pod_left_gets_an_empty_slice_and_vanished_addresses_become_unknown()
    {
        var a = Workload("demo", "a", "node-0", "10.244.0.2");
        var b = Workload("demo", "b", "node-1", "10.244.1.2");
        _publisher.Tell(State(a, b));
        _nodes.ReceiveN(2);
        _addresses.ReceiveN(4);

        _publisher.Tell(State(a));
        var emptied = _nodes.ExpectMsg<PutNodeSlice>();
        Assert.Equal("node-1", emptied.Node);
        Assert.Empty(emptied.Slice.Workloads);
        var gone = _addresses.ExpectMsg<PutAddress>();
        Assert.Equal("10.244.1.2", gone.Address);
        Assert.False(gone.Record.IsKnown);
    }

    [Fact]
    public void Answers_entities_that_ask_once_it_has_state()
    {
        _publisher.Tell(new NeedNodeSlice("node-0"));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing loaded: stays silent so a loaded replica answers

        _publisher.Tell(State(Workload("demo", "a", "node-0", "10.244.0.2")));
        _publisher.Tell(new NeedNodeSlice("node-0"));
        Assert.Single(ExpectMsg<PutNodeSlice>().Slice.Workloads);
        _publisher.Tell(new NeedNodeSlice("node-7"));
        Assert.Empty(ExpectMsg<PutNodeSlice>(p => p.Node == "node-7").Slice.Workloads);
        _publisher.Tell(new NeedAddress("10.244.0.2"));
        Assert.True(ExpectMsg<PutAddress>().Record.IsKnown);
        _publisher.Tell(new NeedAddress("192.0.2.1"));
        Assert.False(ExpectMsg<PutAddress>().Record.IsKnown);
    }
}
