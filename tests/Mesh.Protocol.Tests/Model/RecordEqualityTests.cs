using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Tests.Model;

/// <summary>The state model relies on value equality (idempotent puts ignore equal content).</summary>
public sealed class RecordEqualityTests
{
    [Fact]
    public void Separately_built_workloads_are_equal()
    {
        var a = Samples.FullWorkload();
        var b = Samples.FullWorkload();
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void A_change_deep_in_nested_lists_breaks_equality()
    {
        var a = Samples.FullWorkload();
        var b = a with
        {
            Services = ValueList.Of(
                a.Services[0] with { Ports = ValueList.Of(new PortMapping(9080, 9080), new PortMapping(80, 8081)) },
                a.Services[1]),
        };
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Slices_with_deeply_equal_policies_are_equal()
    {
        Assert.Equal(Samples.FullSlice(), Samples.FullSlice());
        Assert.Equal(Samples.FullSlice().GetHashCode(), Samples.FullSlice().GetHashCode());
        Assert.Equal(new PutNodeSlice(Samples.FullSlice()), new PutNodeSlice(Samples.FullSlice()));
    }

    [Fact]
    public void A_changed_match_inside_a_policy_breaks_slice_equality()
    {
        var slice = Samples.FullSlice();
        var policy = slice.Policies[0];
        var changedMatch = Samples.FullMatch() with { NotDestinationPorts = ValueList.Of(22) };
        var changed = slice with
        {
            Policies = ValueList.Of(
                policy with { Rules = ValueList.Of(new Rule(ValueList.Of(new Clause(ValueList.Of(changedMatch, Match.Empty)), new Clause(ValueList<Match>.Empty))), policy.Rules[1]) },
                slice.Policies[1]),
        };
        Assert.NotEqual(slice, changed);
    }

    [Fact]
    public void Optional_parts_participate_in_equality()
    {
        var w = Samples.FullWorkload();
        Assert.NotEqual(w, w with { Waypoint = null });
        Assert.NotEqual(w, w with { Locality = w.Locality! with { Subzone = "" } });
        Assert.NotEqual(Samples.FullService(), Samples.FullService() with { LoadBalancing = null });
    }

    [Fact]
    public void Address_record_helpers()
    {
        Assert.False(AddressRecord.Unknown("10.0.0.1").IsKnown);
        Assert.True(Samples.WorkloadRecord().IsKnown);
        Assert.True(Samples.ServiceRecord().IsKnown);
        Assert.Equal("10.0.0.1", new PutAddress(AddressRecord.Unknown("10.0.0.1")).Address);
        Assert.Equal("worker-1", new PutNodeSlice(Samples.FullSlice()).Node);
        Assert.Equal("bookinfo/reviews.bookinfo.svc.cluster.local", Samples.FullService().Key);
        Assert.Equal("bookinfo/allow-productpage", Samples.FullAuthorization().Key);
    }
}
