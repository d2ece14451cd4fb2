using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Protocol.Tests.Identity;

public sealed class CsrBuilderTests
{
    [Fact]
    public void Csr_is_signed_by_a_fresh_p256_key_and_asks_for_the_id()
    {
        var (key, der) = CsrBuilder.Create(TestCa.Id);
        using var _ = key;

        Assert.Equal(256, key.KeySize);
        var csr = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions); // verifies the signature
        Assert.Null(SvidKeys.CheckPublicKey(csr.PublicKey));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), csr.PublicKey.ExportSubjectPublicKeyInfo());
        var san = Assert.Single(csr.CertificateExtensions, e => e.Oid?.Value == SpiffeCertificate.SubjectAltNameOid);
        Assert.True(san.Critical);
        Assert.Equal(SpiffeCertificate.CreateSanExtension(TestCa.Id).RawData, san.RawData);
        Assert.Equal("", csr.SubjectName.Name);
    }

    [Fact]
    public void Key_policy_accepts_p256_and_rsa2048_only()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa2048 = RSA.Create(2048);
        using var rsa1024 = RSA.Create(1024);

        Assert.Null(SvidKeys.CheckPublicKey(new CertificateRequest("CN=x", p256, HashAlgorithmName.SHA256).PublicKey));
        Assert.Null(SvidKeys.CheckPublicKey(new CertificateRequest("CN=x", rsa2048, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).PublicKey));
        Assert.Contains("P-256", SvidKeys.CheckPublicKey(new CertificateRequest("CN=x", p384, HashAlgorithmName.SHA256).PublicKey));
        Assert.Contains("too small", SvidKeys.CheckPublicKey(new CertificateRequest("CN=x", rsa1024, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).PublicKey));
    }
}
