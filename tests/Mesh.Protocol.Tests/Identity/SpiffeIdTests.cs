using Mesh.Protocol.Identity;

namespace Mesh.Protocol.Tests.Identity;

/// <summary>Against https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE-ID.md plus Istio's /ns/x/sa/y path.</summary>
public sealed class SpiffeIdTests
{
    [Theory]
    [InlineData("spiffe://cluster.local/ns/default/sa/default", "cluster.local", "default", "default")]
    [InlineData("spiffe://k8s-west.example.com/ns/staging/sa/default", "k8s-west.example.com", "staging", "default")]
    [InlineData("spiffe://td_1.example-2/ns/Bookinfo/sa/My.Service-Account_2", "td_1.example-2", "Bookinfo", "My.Service-Account_2")]
    [InlineData("spiffe://a/ns/b/sa/c", "a", "b", "c")]
    [InlineData("spiffe://example.org/ns/.../sa/..a", "example.org", "...", "..a")] // only exactly "." and ".." are dot segments
    public void Valid_ids_parse_and_print_back(string text, string trustDomain, string ns, string sa)
    {
        var id = SpiffeId.Parse(text);

        Assert.Equal(trustDomain, id.TrustDomain);
        Assert.Equal(ns, id.Namespace);
        Assert.Equal(sa, id.ServiceAccount);
        Assert.Equal(text, id.ToString());
        Assert.Equal(new SpiffeId(trustDomain, ns, sa), id);
        Assert.True(SpiffeId.TryParse(text, out var again, out var error));
        Assert.Null(error);
        Assert.Equal(id, again);
    }

    [Fact]
    public void Limits_are_inclusive()
    {
        var td = new string('t', SpiffeId.MaxTrustDomainLength);
        Assert.Equal(td, SpiffeId.Parse($"spiffe://{td}/ns/a/sa/b").TrustDomain);

        var prefix = "spiffe://example.org/ns/a/sa/";
        var exactly = prefix + new string('b', SpiffeId.MaxLength - prefix.Length);
        Assert.Equal(SpiffeId.MaxLength, exactly.Length);
        Assert.Equal(exactly, SpiffeId.Parse(exactly).ToString());
    }

    [Theory]
    // scheme
    [InlineData("", "empty")]
    [InlineData("SPIFFE://example.org/ns/a/sa/b", "scheme must be lowercase")]
    [InlineData("Spiffe://example.org/ns/a/sa/b", "scheme must be lowercase")]
    [InlineData("https://example.org/ns/a/sa/b", "must start with 'spiffe://'")]
    [InlineData("spiffe:/example.org/ns/a/sa/b", "must start with 'spiffe://'")]
    [InlineData("example.org/ns/a/sa/b", "must start with 'spiffe://'")]
    // trust domain (authority): lowercase host only, no port/userinfo/percent-encoding
    [InlineData("spiffe://Example.org/ns/a/sa/b", "must be lowercase")]
    [InlineData("spiffe://EXAMPLE.ORG/ns/a/sa/b", "must be lowercase")]
    [InlineData("spiffe://example.org:8443/ns/a/sa/b", "port")]
    [InlineData("spiffe://example.org:/ns/a/sa/b", "port")] // the ':' delimiter alone is already forbidden
    [InlineData("spiffe://user@example.org/ns/a/sa/b", "userinfo")]
    [InlineData("spiffe://user:secret@example.org/ns/a/sa/b", "userinfo")]
    [InlineData("spiffe://Admin@example.org/ns/a/sa/b", "userinfo")]
    [InlineData("spiffe://exa%6Dple.org/ns/a/sa/b", "percent-encoded")]
    [InlineData("spiffe://exa mple.org/ns/a/sa/b", "invalid character ' '")]
    [InlineData("spiffe://[::1]/ns/a/sa/b", "invalid character '['")]
    [InlineData("spiffe:///ns/a/sa/b", "trust domain is empty")]
    [InlineData("spiffe://", "trust domain is empty")]
    [InlineData("spiffe://example.org", "no path")]
    // query and fragment are not allowed anywhere
    [InlineData("spiffe://example.org/ns/a/sa/b?x=1", "query")]
    [InlineData("spiffe://example.org/ns/a/sa/b#frag", "fragment")]
    [InlineData("spiffe://example.org?x=1", "query")]
    [InlineData("spiffe://example.org#frag/ns/a/sa/b", "fragment")]
    [InlineData("spiffe://Example.org?x", "query")]
    // path segments
    [InlineData("spiffe://example.org/ns/d%65fault/sa/b", "percent-encoded")]
    [InlineData("spiffe://example.org//ns/a/sa/b", "empty")]
    [InlineData("spiffe://example.org/ns//sa/b", "empty")]
    [InlineData("spiffe://example.org/ns/a/sa/b/", "trailing slash")]
    [InlineData("spiffe://example.org/", "trailing slash")]
    [InlineData("spiffe://example.org/ns/./sa/b", "dot segment")]
    [InlineData("spiffe://example.org/ns/../sa/b", "dot segment")]
    [InlineData("spiffe://example.org/ns/a/sa/..", "dot segment")]
    [InlineData("spiffe://example.org/ns/a/sa/b c", "invalid character ' '")]
    [InlineData("spiffe://example.org/ns/a/sa/b:c", "invalid character ':'")]
    [InlineData("spiffe://example.org/ns/ü/sa/b", "invalid character 'ü'")]
    // Istio's path shape
    [InlineData("spiffe://example.org/payments/mysql", "path must be /ns/<namespace>/sa/<service-account>")]
    [InlineData("spiffe://example.org/ns/a", "path must be /ns/<namespace>/sa/<service-account>")]
    [InlineData("spiffe://example.org/ns/a/sa/b/c", "path must be /ns/<namespace>/sa/<service-account>")]
    [InlineData("spiffe://example.org/NS/a/SA/b", "path must be /ns/<namespace>/sa/<service-account>")]
    [InlineData("spiffe://example.org/sa/b/ns/a", "path must be /ns/<namespace>/sa/<service-account>")]
    [InlineData("spiffe://example.org/9eebccd2-12bf-40a6-b262-65fe0487d453", "path must be /ns/<namespace>/sa/<service-account>")]
    public void Invalid_ids_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(SpiffeId.TryParse(text, out var id, out var error));
        Assert.Null(id);
        Assert.Contains(reason, error);

        var e = Assert.Throws<FormatException>(() => SpiffeId.Parse(text));
        Assert.Equal(error, e.Message);
    }

    [Fact]
    public void Null_is_refused()
    {
        Assert.False(SpiffeId.TryParse(null, out _, out var error));
        Assert.Contains("empty", error);
    }

    [Fact]
    public void Over_long_ids_are_refused()
    {
        var prefix = "spiffe://example.org/ns/a/sa/";
        var text = prefix + new string('b', SpiffeId.MaxLength - prefix.Length + 1);
        Assert.False(SpiffeId.TryParse(text, out _, out var error));
        Assert.Contains("longer than 2048 bytes", error);

        var td = new string('t', SpiffeId.MaxTrustDomainLength + 1);
        Assert.False(SpiffeId.TryParse($"spiffe://{td}/ns/a/sa/b", out _, out var tdError));
        Assert.Contains("longer than 255", tdError);
    }

    [Theory]
    [InlineData("Cluster.local", "default", "sa", "lowercase")]
    [InlineData("cluster.local:80", "default", "sa", "port")]
    [InlineData("", "default", "sa", "trust domain is empty")]
    [InlineData("cluster.local", "", "sa", "namespace is empty")]
    [InlineData("cluster.local", "..", "sa", "dot segment")]
    [InlineData("cluster.local", "default", "a/b", "invalid character '/'")]
    [InlineData("cluster.local", "default", "%41", "percent-encoded")]
    public void Constructor_validates_like_Parse(string td, string ns, string sa, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => new SpiffeId(td, ns, sa));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Constructor_refuses_to_generate_over_long_ids()
    {
        var e = Assert.Throws<ArgumentException>(() => new SpiffeId("example.org", "a", new string('b', SpiffeId.MaxLength)));
        Assert.Contains("longer than 2048", e.Message);
    }

    [Fact]
    public void Workload_identity_is_built_from_its_fields()
    {
        var w = Samples.FullWorkload();
        Assert.Equal("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews", w.Identity.ToString());
    }
}
