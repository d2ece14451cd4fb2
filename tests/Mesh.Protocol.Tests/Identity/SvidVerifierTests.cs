using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Protocol.Tests.Identity;

/// <summary>Against https://github.com/spiffe/spiffe/blob/main/standards/X509-SVID.md (sections 4 and 5).</summary>
public sealed class SvidVerifierTests : IDisposable
{
    private const string Td = "cluster.local";
    private readonly TestCa _root = TestCa.Root();

    public void Dispose() => _root.Dispose();

    private static SvidVerification Verify(X509Certificate2 leaf, TrustBundle bundle, params X509Certificate2[] intermediates) =>
        SvidVerifier.Verify(leaf, intermediates, bundle, Td, TestCa.Now);

    private static void AssertRejected(SvidVerification result, string expected)
    {
        Assert.False(result.Valid);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void Valid_svid_signed_by_the_root()
    {
        using var leaf = _root.Leaf();

        var result = Verify(leaf, _root.Bundle);

        Assert.True(result.Valid, result.Error);
        Assert.Equal(TestCa.Id, result.Id);
        Assert.Null(result.Error);
    }

    [Fact]
    public void Verification_leaves_the_bundle_and_inputs_usable()
    {
        using var intermediate = _root.Intermediate();
        using var leaf = intermediate.Leaf();
        var bundle = _root.Bundle;

        for (var i = 0; i < 3; i++) Assert.True(Verify(leaf, bundle, intermediate.Certificate).Valid);
        Assert.Equal(_root.Certificate.Thumbprint, bundle.Roots[0].Thumbprint);
    }

    [Fact]
    public void Leaf_without_basic_constraints_or_eku_is_valid()
    {
        using var leaf = _root.Leaf(new LeafSpec { Ca = null, Ekus = null });
        Assert.True(Verify(leaf, _root.Bundle).Valid);
    }

    [Fact]
    public void Valid_through_an_intermediate_sent_by_the_peer_or_held_in_the_bundle()
    {
        using var intermediate = _root.Intermediate();
        using var leaf = intermediate.Leaf();

        Assert.True(Verify(leaf, _root.Bundle, intermediate.Certificate).Valid);
        Assert.True(Verify(leaf, _root.Bundle.Merge(TrustBundle.FromCertificates([intermediate.Certificate]))).Valid);
        AssertRejected(Verify(leaf, _root.Bundle), "does not chain to a root");
    }

    [Fact]
    public void An_intermediate_alone_is_not_a_trust_anchor()
    {
        using var intermediate = _root.Intermediate();
        using var leaf = intermediate.Leaf();

        AssertRejected(Verify(leaf, TrustBundle.FromCertificates([intermediate.Certificate])), "trust bundle has no root");
    }

    [Fact]
    public void Wrong_trust_domain() =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { Uris = ["spiffe://example.org/ns/default/sa/sleep"] }), _root.Bundle),
            "not in trust domain 'cluster.local'");

    [Fact]
    public void Two_uri_sans() =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { Uris = [TestCa.Id.ToString(), "spiffe://cluster.local/ns/x/sa/y"] }), _root.Bundle),
            "2 URI SANs");

    [Fact]
    public void Missing_uri_san() => AssertRejected(Verify(_root.Leaf(new LeafSpec { Uris = null }), _root.Bundle), "no URI SAN");

    [Fact]
    public void Non_spiffe_uri() =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { Uris = ["https://cluster.local/ns/default/sa/sleep"] }), _root.Bundle), "not a SPIFFE id");

    [Theory]
    [InlineData("spiffe://CLUSTER.LOCAL/ns/default/sa/sleep")]
    [InlineData("spiffe://cluster.local/ns/def%61ult/sa/sleep")]
    [InlineData("spiffe://cluster.local/ns//sa/sleep")]
    [InlineData("spiffe://cluster.local/ns/default/sa/sleep/")]
    public void Malformed_spiffe_id(string uri) =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { Uris = [uri] }), _root.Bundle), "malformed SPIFFE id");

    [Fact]
    public void Ca_flag_on_a_leaf() =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { Ca = true }), _root.Bundle), "basicConstraints CA=true");

    [Theory]
    [InlineData(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, "keyCertSign")]
    [InlineData(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.CrlSign, "cRLSign")]
    [InlineData(X509KeyUsageFlags.KeyEncipherment, "lacks digitalSignature")]
    public void Key_usage_of_a_leaf(X509KeyUsageFlags usage, string expected) =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { KeyUsage = usage }), _root.Bundle), expected);

    [Fact]
    public void Missing_key_usage() =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { KeyUsage = null }), _root.Bundle), "no keyUsage");

    [Fact]
    public void Eku_without_client_auth() =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { Ekus = [TestCa.ServerAuth] }), _root.Bundle), "serverAuth and clientAuth");

    [Fact]
    public void Expired() =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { NotBefore = TestCa.Now.AddDays(-2), NotAfter = TestCa.Now.AddSeconds(-1) }), _root.Bundle),
            "expired");

    [Fact]
    public void Not_yet_valid() =>
        AssertRejected(Verify(_root.Leaf(new LeafSpec { NotBefore = TestCa.Now.AddMinutes(1) }), _root.Bundle), "not yet valid");

    [Fact]
    public void Time_is_the_given_now_not_the_clock()
    {
        using var leaf = _root.Leaf();
        Assert.False(SvidVerifier.Verify(leaf, [], _root.Bundle, Td, TestCa.Now.AddDays(2)).Valid);
        Assert.False(SvidVerifier.Verify(leaf, [], _root.Bundle, Td, TestCa.Now.AddHours(-2)).Valid);
    }

    [Fact]
    public void Signed_by_a_foreign_root()
    {
        using var foreign = TestCa.Root(); // same subject, different key
        AssertRejected(Verify(foreign.Leaf(), _root.Bundle), "does not chain to a root");
    }

    [Fact]
    public void Expired_intermediate() =>
        AssertRejected(VerifyVia(_root.Intermediate(notBefore: TestCa.Now.AddDays(-10), notAfter: TestCa.Now.AddDays(-1))), "expired or not yet valid");

    [Fact]
    public void Intermediate_without_ca_flag() => Assert.False(VerifyVia(_root.Intermediate(ca: false)).Valid);

    [Fact]
    public void Intermediate_without_key_cert_sign() =>
        Assert.False(VerifyVia(_root.Intermediate(keyUsage: X509KeyUsageFlags.DigitalSignature)).Valid);

    [Fact]
    public void Intermediate_without_key_usage_extension() =>
        AssertRejected(VerifyVia(_root.Intermediate(keyUsage: null)), "lacks keyUsage keyCertSign");

    [Fact]
    public void Path_length_constraint_is_enforced()
    {
        using var root = TestCa.Root(pathLength: 0);
        using var intermediate = root.Intermediate();
        using var leaf = intermediate.Leaf();

        Assert.False(Verify(leaf, root.Bundle, intermediate.Certificate).Valid);
        Assert.True(Verify(root.Leaf(), root.Bundle).Valid);
    }

    [Fact]
    public void Root_rotation_overlap_then_removal()
    {
        using var next = TestCa.Root("O=cluster.local, CN=next");
        using var oldLeaf = _root.Leaf();
        using var newLeaf = next.Leaf();
        var overlap = _root.Bundle.Merge(next.Bundle);

        Assert.True(Verify(oldLeaf, overlap).Valid);
        Assert.True(Verify(newLeaf, overlap).Valid);
        AssertRejected(Verify(oldLeaf, next.Bundle), "does not chain to a root");
        Assert.True(Verify(newLeaf, next.Bundle).Valid);
    }

    [Fact]
    public void Validator_decides_by_our_verification_only()
    {
        using var leaf = _root.Leaf();
        using var foreign = TestCa.Root();
        using var foreignLeaf = foreign.Leaf();
        var validator = SvidVerifier.CreateValidator(() => _root.Bundle, Td, authorize: null);
        var systemSaysNo = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch;

        Assert.True(validator(this, leaf, null, systemSaysNo));
        Assert.False(validator(this, foreignLeaf, null, SslPolicyErrors.None));
        Assert.False(validator(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void Validator_applies_authorization_and_reads_the_bundle_per_call()
    {
        using var leaf = _root.Leaf();
        var bundle = _root.Bundle;
        var allowed = SvidVerifier.CreateValidator(() => bundle, Td, id => id.ServiceAccount == "sleep");
        var denied = SvidVerifier.CreateValidator(() => bundle, Td, id => id.Namespace == "other");

        Assert.True(allowed(this, leaf, null, SslPolicyErrors.None));
        Assert.False(denied(this, leaf, null, SslPolicyErrors.None));
        bundle = TrustBundle.Empty;
        Assert.False(allowed(this, leaf, null, SslPolicyErrors.None));
    }

    private SvidVerification VerifyVia(TestCa intermediate)
    {
        using (intermediate)
        {
            using var leaf = intermediate.Leaf();
            return Verify(leaf, _root.Bundle, intermediate.Certificate);
        }
    }
}
