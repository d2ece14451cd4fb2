using System.Security.Cryptography.X509Certificates;
using Mesh.Control.Ca;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Control.Tests.Ca;

public sealed class CaPersistenceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Generated_root_is_an_istio_style_p256_ca_and_the_key_is_private()
    {
        using var ca = CaTest.Generated(_dir);
        var root = Assert.Single(ca.Bundle.Roots);

        Assert.Equal("O=cluster.local", root.Subject);
        Assert.Equal(root.Subject, root.Issuer);
        Assert.Equal(256, root.GetECDsaPublicKey()!.KeySize);
        Assert.True(root.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, root.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.InRange(root.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(3649), DateTime.UtcNow.AddDays(3651));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.File("ca-key.pem")));
        Assert.Equal(root.RawData, X509CertificateLoader.LoadCertificateFromFile(_dir.File("ca-cert.pem")).RawData);
        Assert.DoesNotContain(Directory.GetFiles(_dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_gives_the_same_root_and_certificates_issued_before_stay_valid()
    {
        IssuedSvid svid;
        TrustBundle first;
        using (var ca = CaTest.Generated(_dir))
        {
            first = ca.Bundle;
            var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
            using (key) svid = ca.Issue(csr, CaTest.Sleep);
        }

        using var again = CaTest.Generated(_dir);
        Assert.Equal(first, again.Bundle);
        Assert.True(CaTest.Verify(again, svid).Valid);
    }

    [Fact]
    public async Task Concurrent_creation_converges_on_one_root()
    {
        const int starters = 4;
        using var barrier = new Barrier(starters);
        var cas = await Task.WhenAll(Enumerable.Range(0, starters).Select(_ => Task.Run(() =>
        {
            barrier.SignalAndWait();
            return CaTest.Generated(_dir);
        })));
        try
        {
            Assert.All(cas, ca => Assert.Equal(cas[0].Bundle, ca.Bundle));
            Assert.Equal(cas[0].Bundle, TrustBundle.FromPem(File.ReadAllText(_dir.File("ca-cert.pem"))));
        }
        finally
        {
            foreach (var ca in cas) ca.Dispose();
        }
    }

    [Fact]
    public void A_certificate_without_its_key_is_an_error_not_a_silent_new_root()
    {
        using (CaTest.Generated(_dir)) { }
        File.Delete(_dir.File("ca-key.pem"));

        var e = Assert.Throws<CaException>(() => CaTest.Generated(_dir));
        Assert.Contains("is missing", e.Message);
    }

    [Fact]
    public void A_key_left_by_an_interrupted_creation_is_replaced()
    {
        _dir.Write("ca-key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        using var ca = CaTest.Generated(_dir);
        Assert.Single(ca.Bundle.Roots);
    }

    [Fact]
    public void Configuration_errors_are_explained()
    {
        Assert.Contains("StateDir", Assert.Throws<CaException>(() =>
            CertificateAuthority.LoadOrCreate(new CaOptions(), NullLogger.Instance)).Message);
        Assert.Contains("trust domain", Assert.Throws<CaException>(() =>
            CertificateAuthority.LoadOrCreate(new CaOptions { StateDir = _dir.Path, TrustDomain = "Cluster.Local" }, NullLogger.Instance)).Message);
        Assert.Contains("RootKeyPath", Assert.Throws<CaException>(() =>
            CertificateAuthority.LoadOrCreate(new CaOptions { RootCertPath = _dir.File("x.pem") }, NullLogger.Instance)).Message);
    }

    [Fact]
    public void Other_trust_domains_get_their_own_root_subject()
    {
        using var ca = CaTest.Generated(_dir, configure: o => o.TrustDomain = "example.org");
        Assert.Equal("O=example.org", ca.Bundle.Roots[0].Subject);
        Assert.Equal("example.org", ca.TrustDomain);
    }
}
