using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Protocol.Tests.Identity;

public sealed class SpiffeCertificateTests
{
    private static readonly TestCa Ca = TestCa.Root();

    [Fact]
    public void Reads_the_single_uri_san()
    {
        using var cert = Ca.Leaf();
        Assert.True(SpiffeCertificate.TryGetSpiffeId(cert, out var id, out var error), error);
        Assert.Equal(TestCa.Id, id);
    }

    [Fact]
    public void Other_san_types_next_to_the_uri_are_allowed()
    {
        using var key = SvidKeys.Generate();
        var request = new CertificateRequest("CN=x", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("sleep.default.svc");
        san.AddUri(new Uri("spiffe://cluster.local/ns/default/sa/sleep"));
        san.AddEmailAddress("a@b.c");
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(TestCa.Now, TestCa.Now.AddDays(1));

        Assert.True(SpiffeCertificate.TryGetSpiffeId(cert, out var id, out var error), error);
        Assert.Equal(TestCa.Id, id);
    }

    [Theory]
    [InlineData(null, "no URI SAN")]
    [InlineData(new string[0], "no URI SAN")]
    [InlineData(new[] { "spiffe://cluster.local/ns/a/sa/b", "spiffe://cluster.local/ns/c/sa/d" }, "2 URI SANs")]
    [InlineData(new[] { "spiffe://cluster.local/ns/a/sa/b", "spiffe://cluster.local/ns/a/sa/b" }, "2 URI SANs")]
    [InlineData(new[] { "https://cluster.local/ns/a/sa/b" }, "not a SPIFFE id")]
    [InlineData(new[] { "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66" }, "not a SPIFFE id")]
    [InlineData(new[] { "SPIFFE://cluster.local/ns/a/sa/b" }, "scheme must be lowercase")]
    [InlineData(new[] { "spiffe://Cluster.Local/ns/a/sa/b" }, "must be lowercase")]
    [InlineData(new[] { "spiffe://cluster.local/ns/a%2Fb/sa/c" }, "percent-encoded")]
    [InlineData(new[] { "spiffe://cluster%2Elocal/ns/a/sa/b" }, "percent-encoded")]
    [InlineData(new[] { "spiffe://cluster.local/ns//sa/b" }, "empty")]
    [InlineData(new[] { "spiffe://cluster.local/ns/a/sa/b/" }, "trailing slash")]
    [InlineData(new[] { "spiffe://cluster.local" }, "no path")]
    [InlineData(new[] { "spiffe://cluster.local/" }, "empty")]
    [InlineData(new[] { "spiffe://cluster.local/ns/../sa/b" }, "dot segment")]
    [InlineData(new[] { "spiffe://cluster.local:443/ns/a/sa/b" }, "port")]
    [InlineData(new[] { "spiffe://cluster.local/ns/a/sa/b?x=1" }, "query")]
    public void Rejects_certificates_without_exactly_one_well_formed_spiffe_uri(string[]? uris, string expected)
    {
        using var cert = Ca.Leaf(new LeafSpec { Uris = uris });

        Assert.False(SpiffeCertificate.TryGetSpiffeId(cert, out var id, out var error));
        Assert.Null(id);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Two_san_extensions_are_rejected()
    {
        using var key = SvidKeys.Generate();
        var request = new CertificateRequest("CN=x", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SpiffeCertificate.CreateUriSanExtension(["spiffe://cluster.local/ns/a/sa/b"], true));
        // CertificateRequest refuses duplicates: add the second as issuerAltName (2.5.29.18) and patch its OID to SAN.
        var second = SpiffeCertificate.CreateUriSanExtension(["spiffe://cluster.local/ns/c/sa/d"], true);
        request.CertificateExtensions.Add(new X509Extension("2.5.29.18", second.RawData, true));
        using var signed = request.CreateSelfSigned(TestCa.Now, TestCa.Now.AddDays(1));
        var der = signed.RawData;
        var at = der.AsSpan().IndexOf(new byte[] { 0x06, 0x03, 0x55, 0x1D, 0x12 });
        der[at + 4] = 0x11;
        using var cert = X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(2, cert.Extensions.Count(e => e.Oid?.Value == SpiffeCertificate.SubjectAltNameOid));

        Assert.False(SpiffeCertificate.TryGetSpiffeId(cert, out _, out var error));
        Assert.Contains("more than one SubjectAlternativeName", error);
    }

    [Fact]
    public void Malformed_san_extension_is_an_error_not_an_exception()
    {
        using var key = SvidKeys.Generate();
        var request = new CertificateRequest("CN=x", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension(SpiffeCertificate.SubjectAltNameOid, [0x30, 0x05, 0x86, 0x01], true));
        using var cert = request.CreateSelfSigned(TestCa.Now, TestCa.Now.AddDays(1));

        Assert.False(SpiffeCertificate.TryGetSpiffeId(cert, out _, out var error));
        Assert.Contains("malformed", error);
    }

    [Fact]
    public void Created_extension_is_critical_and_round_trips()
    {
        var ext = SpiffeCertificate.CreateSanExtension(TestCa.Id);
        Assert.True(ext.Critical);
        var parsed = new X509SubjectAlternativeNameExtension(ext.RawData, ext.Critical);
        Assert.Empty(parsed.EnumerateDnsNames());
    }
}
