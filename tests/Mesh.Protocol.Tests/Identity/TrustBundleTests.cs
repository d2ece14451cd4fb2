using Mesh.Protocol.Identity;

namespace Mesh.Protocol.Tests.Identity;

public sealed class TrustBundleTests
{
    [Fact]
    public void Pem_round_trip_keeps_roots_and_intermediates_apart()
    {
        using var root = TestCa.Root();
        using var intermediate = root.Intermediate();
        var pem = root.Certificate.ExportCertificatePem() + "\n" + intermediate.Certificate.ExportCertificatePem();

        var bundle = TrustBundle.FromPem(pem);

        Assert.Equal(root.Certificate.RawData, Assert.Single(bundle.Roots).RawData);
        Assert.Equal(intermediate.Certificate.RawData, Assert.Single(bundle.Intermediates).RawData);
        Assert.Equal(bundle, TrustBundle.FromPem(bundle.ToPem()));
    }

    [Fact]
    public void Merge_is_a_deduplicated_union_and_equality_ignores_order()
    {
        using var a = TestCa.Root("O=a");
        using var b = TestCa.Root("O=b");

        var merged = a.Bundle.Merge(b.Bundle).Merge(a.Bundle);

        Assert.Equal(2, merged.Roots.Count);
        Assert.Equal(merged, b.Bundle.Merge(a.Bundle));
        Assert.Equal(merged.GetHashCode(), b.Bundle.Merge(a.Bundle).GetHashCode());
        Assert.NotEqual(a.Bundle, merged);
        Assert.True(merged.Contains(a.Certificate));
        Assert.False(a.Bundle.Contains(b.Certificate));
    }

    [Fact]
    public void Bundle_owns_copies_of_its_certificates()
    {
        using var root = TestCa.Root();
        var cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(root.Certificate.RawData);
        var bundle = TrustBundle.FromCertificates([cert]);
        cert.Dispose();

        Assert.Equal(root.Certificate.Thumbprint, bundle.Roots[0].Thumbprint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not pem")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    public void Bad_pem_is_a_format_error(string pem) => Assert.Throws<FormatException>(() => TrustBundle.FromPem(pem));

    [Fact]
    public void A_leaf_is_not_accepted_as_a_trust_anchor()
    {
        using var root = TestCa.Root();
        using var leaf = root.Leaf();

        var e = Assert.Throws<FormatException>(() => TrustBundle.FromPem(leaf.ExportCertificatePem()));
        Assert.Contains("not a CA", e.Message);
    }
}
