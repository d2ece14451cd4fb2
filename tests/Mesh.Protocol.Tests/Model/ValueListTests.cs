using Mesh.Protocol.Model;

namespace Mesh.Protocol.Tests.Model;

public sealed class ValueListTests
{
    [Fact]
    public void Equal_items_make_equal_lists_with_equal_hashes()
    {
        var a = ValueList.Of("x", "y");
        var b = new List<string> { "x", "y" }.ToValueList();

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals((object)b));
    }

    [Fact]
    public void Order_count_and_content_matter()
    {
        var a = ValueList.Of(1, 2, 3);
        Assert.NotEqual(a, ValueList.Of(3, 2, 1));
        Assert.NotEqual(a, ValueList.Of(1, 2));
        Assert.NotEqual(a, ValueList.Of(1, 2, 4));
        Assert.False(a.Equals("not a list"));
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void Empty_forms_are_one_value()
    {
        Assert.Same(ValueList<int>.Empty, ValueList<int>.From(null));
        Assert.Same(ValueList<int>.Empty, ValueList<int>.From([]));
        Assert.Same(ValueList<int>.Empty, ValueList.Of<int>());
        Assert.Empty(ValueList<int>.Empty);
        Assert.NotEqual(0, ValueList<int>.Empty.GetHashCode()); // 0 is the "not computed yet" marker
    }

    [Fact]
    public void Null_comparisons_work()
    {
        ValueList<int>? none = null;
        Assert.True(none == null);
        Assert.False(ValueList.Of(1) == none);
        Assert.True(ValueList.Of(1) != none);
    }

    [Fact]
    public void Source_changes_do_not_leak_in()
    {
        var source = new[] { "a", "b" };
        ValueList<string> list = source;
        source[0] = "changed";
        Assert.Equal("a", list[0]);
        Assert.Equal(2, list.Count);
    }

    [Fact]
    public void Null_items_are_allowed()
    {
        Assert.Equal(ValueList.Of<string?>("a", null), ValueList.Of<string?>("a", null));
        Assert.NotEqual(ValueList.Of<string?>("a", null), ValueList.Of<string?>(null, "a"));
    }

    [Fact]
    public void Nested_lists_compare_structurally()
    {
        var a = ValueList.Of(ValueList.Of(1, 2), ValueList.Of(3));
        var b = ValueList.Of(ValueList.Of(1, 2), ValueList.Of(3));
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, ValueList.Of(ValueList.Of(1, 2), ValueList.Of(4)));
    }

    [Fact]
    public void ToString_lists_items() => Assert.Equal("[1, 2]", ValueList.Of(1, 2).ToString());

    [Fact]
    public void Enumerates_in_order()
    {
        var list = ValueList.Of("a", "b", "c");
        Assert.Equal(["a", "b", "c"], list.ToArray());
        Assert.Equal("abc", string.Concat((IEnumerable<string>)list));
        Assert.Equal(3, list.AsImmutableArray().Length);
    }
}
