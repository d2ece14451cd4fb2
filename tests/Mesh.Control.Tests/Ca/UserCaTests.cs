using System.Security.Cryptography.X509Certificates;
using Mesh.Control.Ca;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Control.Tests.Ca;

/// <summary>User-supplied roots and intermediates, made with openssl as a user would.</summary>
public sealed class UserCaTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CertificateAuthority Load(CaOptions options) => CertificateAuthority.LoadOrCreate(options, NullLogger.Instance);

    private static IssuedSvid Issue(CertificateAuthority ca)
    {
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using (key) return ca.Issue(csr, CaTest.Sleep);
    }

    [Fact]
    public void User_root_signs_directly()
    {
        var root = OpenSsl.Root(_dir);

        using var ca = Load(new CaOptions { RootCertPath = root.Cert, RootKeyPath = root.Key, StateDir = _dir.File("unused") });
        var svid = Issue(ca);

        Assert.Equal(X509CertificateLoader.LoadCertificateFromFile(root.Cert).RawData, Assert.Single(ca.Bundle.Roots).RawData);
        Assert.Empty(svid.ChainDer);
        Assert.True(CaTest.Verify(ca, svid).Valid);
        Assert.False(Directory.Exists(_dir.File("unused"))); // nothing generated
    }

    [Fact]
    public void User_intermediate_is_sent_in_the_chain_and_the_root_is_the_bundle()
    {
        var root = OpenSsl.Root(_dir);
        var intermediate = OpenSsl.Intermediate(_dir, root);

        using var ca = Load(new CaOptions { CertPath = intermediate.Cert, KeyPath = intermediate.Key, ChainPath = root.Cert });
        var svid = Issue(ca);

        Assert.Equal(X509CertificateLoader.LoadCertificateFromFile(intermediate.Cert).RawData, Assert.Single(svid.ChainDer));
        Assert.Equal(X509CertificateLoader.LoadCertificateFromFile(root.Cert).RawData, Assert.Single(ca.Bundle.Roots).RawData);
        Assert.True(CaTest.Verify(ca, svid).Valid);
        using var leaf = X509CertificateLoader.LoadCertificate(svid.CertificateDer);
        Assert.Equal("CN=intermediate, O=example.org", leaf.Issuer);
    }

    [Fact]
    public void Istio_style_cert_chain_with_the_intermediate_and_a_second_level()
    {
        // root -> intermediate -> issuing; cert-chain.pem = issuing + intermediate + root (as Istio's cacerts).
        var root = OpenSsl.Root(_dir);
        var intermediate = OpenSsl.Intermediate(_dir, root);
        var issuing = OpenSsl.Intermediate(_dir, intermediate, "issuing");
        var chain = _dir.Write("cert-chain.pem", string.Concat(new[] { issuing.Cert, intermediate.Cert, root.Cert }.Select(File.ReadAllText)));

        using var ca = Load(new CaOptions { CertPath = issuing.Cert, KeyPath = issuing.Key, ChainPath = chain });
        var svid = Issue(ca);

        Assert.Equal(2, svid.ChainDer.Count);
        Assert.True(CaTest.Verify(ca, svid).Valid);
    }

    [Fact]
    public void Root_may_come_from_root_cert_path()
    {
        var root = OpenSsl.Root(_dir);
        var intermediate = OpenSsl.Intermediate(_dir, root);

        using var ca = Load(new CaOptions { CertPath = intermediate.Cert, KeyPath = intermediate.Key, RootCertPath = root.Cert });
        Assert.True(CaTest.Verify(ca, Issue(ca)).Valid);
    }

    [Fact]
    public void Key_that_does_not_match_the_certificate()
    {
        var root = OpenSsl.Root(_dir);
        var other = OpenSsl.Root(_dir, "other");

        var e = Assert.Throws<CaException>(() => Load(new CaOptions { RootCertPath = root.Cert, RootKeyPath = other.Key }));
        Assert.Contains("does not match", e.Message);
    }

    [Fact]
    public void Ca_without_key_cert_sign()
    {
        var root = OpenSsl.Root(_dir, extensions: "v3_not_a_signer");

        var e = Assert.Throws<CaException>(() => Load(new CaOptions { RootCertPath = root.Cert, RootKeyPath = root.Key }));
        Assert.Contains("keyCertSign", e.Message);
    }

    [Fact]
    public void Intermediate_given_as_a_root_or_without_its_root()
    {
        var root = OpenSsl.Root(_dir);
        var intermediate = OpenSsl.Intermediate(_dir, root);

        Assert.Contains("not self-signed", Assert.Throws<CaException>(() =>
            Load(new CaOptions { RootCertPath = intermediate.Cert, RootKeyPath = intermediate.Key })).Message);
        Assert.Contains("no self-signed root", Assert.Throws<CaException>(() =>
            Load(new CaOptions { CertPath = intermediate.Cert, KeyPath = intermediate.Key, ChainPath = intermediate.Cert })).Message);
        var foreign = OpenSsl.Root(_dir, "foreign");
        Assert.Contains("does not chain", Assert.Throws<CaException>(() =>
            Load(new CaOptions { CertPath = intermediate.Cert, KeyPath = intermediate.Key, ChainPath = foreign.Cert })).Message);
    }

    [Fact]
    public void Root_whose_path_length_forbids_the_intermediate_fails_the_self_check()
    {
        var root = OpenSsl.Root(_dir, extensions: "v3_root_pathlen0");
        var intermediate = OpenSsl.Intermediate(_dir, root);

        var e = Assert.Throws<CaException>(() => Load(new CaOptions { CertPath = intermediate.Cert, KeyPath = intermediate.Key, ChainPath = root.Cert }));
        Assert.Contains("would be rejected by verifiers", e.Message);
    }

    [Fact]
    public void Unreadable_files_are_named()
    {
        var e = Assert.Throws<CaException>(() => Load(new CaOptions { RootCertPath = _dir.File("missing.pem"), RootKeyPath = _dir.File("missing.key") }));
        Assert.Contains("missing.pem", e.Message);
    }
}
