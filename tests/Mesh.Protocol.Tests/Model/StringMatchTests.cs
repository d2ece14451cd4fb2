using Mesh.Protocol.Model;

namespace Mesh.Protocol.Tests.Model;

public sealed class StringMatchTests
{
    [Theory]
    [InlineData("*", StringMatchKind.Presence, "")]
    [InlineData("abc*", StringMatchKind.Prefix, "abc")]
    [InlineData("*abc", StringMatchKind.Suffix, "abc")]
    [InlineData("abc", StringMatchKind.Exact, "abc")]
    [InlineData("", StringMatchKind.Exact, "")]
    [InlineData("cluster.local/ns/default/*", StringMatchKind.Prefix, "cluster.local/ns/default/")]
    public void Parse_recognises_istio_patterns(string pattern, StringMatchKind kind, string value)
    {
        var match = StringMatch.Parse(pattern);
        Assert.Equal(new StringMatch(kind, value), match);
        Assert.Equal(pattern, match.ToString());
    }

    [Theory]
    [InlineData("*", "x", true)]
    [InlineData("*", "", false)]
    [InlineData("*", null, false)]
    [InlineData("prod-*", "prod-eu", true)]
    [InlineData("prod-*", "prod-", true)]
    [InlineData("prod-*", "Prod-eu", false)]
    [InlineData("prod-*", "pro", false)]
    [InlineData("prod-*", null, false)]
    [InlineData("*-test", "app-test", true)]
    [InlineData("*-test", "-test", true)]
    [InlineData("*-test", "app-testing", false)]
    [InlineData("*-test", null, false)]
    [InlineData("bookinfo", "bookinfo", true)]
    [InlineData("bookinfo", "Bookinfo", false)]
    [InlineData("bookinfo", "bookinfo2", false)]
    [InlineData("bookinfo", null, false)]
    [InlineData("", "", true)]
    [InlineData("", null, false)]
    public void Matches_follows_the_kind(string pattern, string? value, bool expected) =>
        Assert.Equal(expected, StringMatch.Parse(pattern).Matches(value));
}
