using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mesh.Control.Ca;
using Mesh.Protocol.Identity;

namespace Mesh.Control.Tests.Ca;

public sealed class CertificateAuthorityIssueTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();
    private readonly FixedTime _time = new(T0);
    private readonly CertificateAuthority _ca;

    public CertificateAuthorityIssueTests() => _ca = CaTest.Generated(_dir, _time);

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Issues_an_svid_with_exactly_the_spiffe_profile()
    {
        _time.Now = T0.AddHours(1);
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using var disposeKey = key;

        var svid = _ca.Issue(csr, CaTest.Sleep);
        using var cert = X509CertificateLoader.LoadCertificate(svid.CertificateDer);

        Assert.True(CaTest.Verify(_ca, svid, _time.Now).Valid);
        Assert.Empty(svid.ChainDer);
        Assert.Equal("", cert.Subject);
        Assert.Equal(_ca.Bundle.Roots[0].SubjectName.RawData, cert.IssuerName.RawData);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), cert.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.True(SpiffeCertificate.TryGetSpiffeId(cert, out var id, out _));
        Assert.Equal(CaTest.Sleep, id);
        Assert.True(cert.Extensions[SpiffeCertificate.SubjectAltNameOid]!.Critical);
        var bc = Assert.Single(cert.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.False(bc.CertificateAuthority);
        var ku = Assert.Single(cert.Extensions.OfType<X509KeyUsageExtension>());
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, ku.KeyUsages);
        Assert.True(ku.Critical);
        var eku = Assert.Single(cert.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.Single(cert.Extensions.OfType<X509AuthorityKeyIdentifierExtension>());
        Assert.Equal(5, cert.Extensions.Count);

        Assert.Equal(T0.AddHours(1) - TimeSpan.FromMinutes(5), svid.NotBefore);
        Assert.Equal(T0.AddHours(25), svid.NotAfter);
        Assert.Equal(cert.SerialNumber, svid.SerialNumber);
    }

    [Fact]
    public void Serials_are_random_positive_minimal_der_integers_of_up_to_128_bits()
    {
        var issued = Enumerable.Range(0, 20).Select(_ => Issue(CaTest.Sleep)).ToList();
        var serials = issued.Select(s => s.SerialNumber).ToList();
        foreach (var svid in issued)
        {
            // AsnReader in DER mode rejects non-minimal INTEGER encodings (a redundant leading zero octet).
            var tbs = new AsnReader(svid.CertificateDer, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            tbs.ReadEncodedValue(); // [0] version
            var serial = tbs.ReadInteger();
            Assert.True(serial > 0 && serial < System.Numerics.BigInteger.One << 128);
        }

        Assert.Equal(serials.Count, serials.Distinct().Count());
        // Hex of a positive INTEGER: at most 17 octets (a 0x00 sign octet before 16 random ones), usually 16 or 17.
        Assert.All(serials, s => Assert.InRange(s.Length, 2, 34));
        Assert.Contains(serials, s => s.Length >= 30);
    }

    [Fact]
    public void Ttl_can_be_shortened_and_is_capped_at_the_signing_certificate()
    {
        using var dir = new TempDir();
        using var shortRoot = CaTest.Generated(dir, _time, o => o.RootTtl = TimeSpan.FromHours(30));
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using var disposeKey = key;

        Assert.Equal(T0.AddHours(1), _ca.Issue(csr, CaTest.Sleep, TimeSpan.FromHours(1)).NotAfter);
        Assert.Equal(T0.AddHours(30), shortRoot.Issue(csr, CaTest.Sleep, TimeSpan.FromDays(7)).NotAfter);
        Assert.Throws<CaException>(() => _ca.Issue(csr, CaTest.Sleep, TimeSpan.Zero));
    }

    [Fact]
    public void The_identity_comes_from_the_caller_not_from_the_csr()
    {
        // A CSR asking for another identity, a subject and extra SANs: only its key is used.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=admin, O=cluster.local", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("spiffe://cluster.local/ns/istio-system/sa/istiod"));
        san.AddUri(new Uri("spiffe://evil.example/ns/a/sa/b"));
        san.AddDnsName("istiod.istio-system.svc");
        request.CertificateExtensions.Add(san.Build(true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));

        var svid = _ca.Issue(request.CreateSigningRequest(), CaTest.Sleep);
        using var cert = X509CertificateLoader.LoadCertificate(svid.CertificateDer);

        Assert.Equal("", cert.Subject);
        Assert.True(SpiffeCertificate.TryGetUriSans(cert, out var uris, out _));
        Assert.Equal([CaTest.Sleep.ToString()], uris);
        Assert.Empty(new X509SubjectAlternativeNameExtension(cert.Extensions[SpiffeCertificate.SubjectAltNameOid]!.RawData).EnumerateDnsNames());
        Assert.False(cert.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
    }

    [Fact]
    public void Tampered_csr_signature_is_rejected()
    {
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using var disposeKey = key;
        csr[^1] ^= 0x01; // last octet of the ECDSA signature's s

        var e = Assert.Throws<CaException>(() => _ca.Issue(csr, CaTest.Sleep));
        Assert.Contains("signature does not verify", e.Message);
    }

    [Fact]
    public void Csr_whose_signed_content_was_altered_is_rejected()
    {
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using var disposeKey = key;
        var at = csr.AsSpan().IndexOf("sa/sleep"u8);
        Encoding.ASCII.GetBytes("sa/admin").CopyTo(csr, at);

        var e = Assert.Throws<CaException>(() => _ca.Issue(csr, CaTest.Sleep));
        Assert.Contains("signature does not verify", e.Message);
    }

    [Fact]
    public void Csr_key_policy()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa1024 = RSA.Create(1024);
        using var rsa2048 = RSA.Create(2048);

        Assert.Contains("P-256", Assert.Throws<CaException>(() =>
            _ca.Issue(new CertificateRequest("", p384, HashAlgorithmName.SHA384).CreateSigningRequest(), CaTest.Sleep)).Message);
        Assert.Contains("too small", Assert.Throws<CaException>(() =>
            _ca.Issue(new CertificateRequest("", rsa1024, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest(), CaTest.Sleep)).Message);
        var rsaSvid = _ca.Issue(new CertificateRequest("", rsa2048, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest(), CaTest.Sleep);
        Assert.True(CaTest.Verify(_ca, rsaSvid, _time.Now).Valid);
    }

    [Fact]
    public void Garbage_csr_and_foreign_trust_domain_are_rejected()
    {
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using var disposeKey = key;

        Assert.Contains("not a valid PKCS#10", Assert.Throws<CaException>(() => _ca.Issue([0x30, 0x03, 0x02, 0x01, 0x00], CaTest.Sleep)).Message);
        Assert.Contains("outside the CA's trust domain", Assert.Throws<CaException>(() =>
            _ca.Issue(csr, new SpiffeId("example.org", "default", "sleep"))).Message);
    }

    [Fact]
    public async Task Concurrent_issuance_is_safe()
    {
        var svids = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => Issue(CaTest.Sleep))));
        Assert.All(svids, s => Assert.True(CaTest.Verify(_ca, s, _time.Now).Valid));
    }

    private IssuedSvid Issue(SpiffeId id)
    {
        var (key, csr) = CsrBuilder.Create(id);
        using (key) return _ca.Issue(csr, id);
    }
}
