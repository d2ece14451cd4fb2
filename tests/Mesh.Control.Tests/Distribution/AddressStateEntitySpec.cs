using Akka.Actor;
using Mesh.Control.Distribution;
using Mesh.Protocol.Contracts;
using static Mesh.Control.Tests.Distribution.TestState;

namespace Mesh.Control.Tests.Distribution;

public class AddressStateEntitySpec : SingleMemberClusterSpec
{
    [Fact]
    public void A_lookup_before_the_value_is_known_is_answered_when_it_arrives()
    {
        var entity = Sys.ActorOf(Props.Create(() => new AddressStateEntity("10.96.0.10", TimeSpan.FromSeconds(30))));
        entity.Tell(new LookupAddress("10.96.0.10", Watch: false));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var record = new AddressRecord("10.96.0.10", null, Service("demo", "echo", "10.96.0.10"), []);
        entity.Tell(new PutAddress(record));
        Assert.Equal(record, ExpectMsg<AddressAnswer>().Record);

        entity.Tell(new PutAddress(AddressRecord.Unknown("10.96.0.10")));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // not watching: no push
    }

    [Fact]
    public void Watchers_are_told_when_an_address_changes_owner()
    {
        var entity = Sys.ActorOf(Props.Create(() => new AddressStateEntity("10.244.0.2", TimeSpan.FromSeconds(30))));
        var first = new AddressRecord("10.244.0.2", Workload("demo", "a", "node-0", "10.244.0.2"), null, []);
        entity.Tell(new PutAddress(first));
        entity.Tell(new LookupAddress("10.244.0.2", Watch: true));
        Assert.Equal(first, ExpectMsg<AddressAnswer>().Record);

        entity.Tell(new PutAddress(AddressRecord.Unknown("10.244.0.2")));
        Assert.False(ExpectMsg<AddressAnswer>().Record.IsKnown);
    }
}
