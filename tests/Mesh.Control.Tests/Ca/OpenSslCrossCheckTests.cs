using System.Text.RegularExpressions;
using Mesh.Control.Ca;
using Mesh.Protocol.Identity;

namespace Mesh.Control.Tests.Ca;

/// <summary>OpenSSL, independently of .NET, accepts what the CA issues and sees exactly one SPIFFE URI SAN.</summary>
public sealed class OpenSslCrossCheckTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Generated_root_issues_what_openssl_verifies()
    {
        using var ca = CaTest.Generated(_dir.File("state"));
        var leaf = WriteIssued(ca);
        var root = _dir.Write("root.pem", ca.Bundle.ToPem());

        Assert.Contains($"{leaf}: OK", OpenSsl.Run(_dir, "verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", root, leaf));
        Assert.Contains($"{leaf}: OK", OpenSsl.Run(_dir, "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", root, leaf));
        AssertOneSpiffeSan(leaf);
    }

    [Fact]
    public void Intermediate_chain_verifies_only_with_the_chain()
    {
        var rootFiles = OpenSsl.Root(_dir);
        var intermediate = OpenSsl.Intermediate(_dir, rootFiles);
        using var ca = Mesh.Control.Ca.CertificateAuthority.LoadOrCreate(
            new CaOptions { CertPath = intermediate.Cert, KeyPath = intermediate.Key, ChainPath = rootFiles.Cert },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using var disposeKey = key;
        var svid = ca.Issue(csr, CaTest.Sleep);
        var leaf = _dir.Write("leaf.pem", CaTest.Pem(svid.CertificateDer));
        var chain = _dir.Write("chain.pem", string.Concat(svid.ChainDer.Select(CaTest.Pem)));
        var root = _dir.Write("bundle.pem", ca.Bundle.ToPem());

        Assert.Contains($"{leaf}: OK", OpenSsl.Run(_dir, "verify", "-x509_strict", "-CAfile", root, "-untrusted", chain, leaf));
        Assert.NotEqual(0, OpenSsl.TryRun(_dir, "verify", "-CAfile", root, leaf).Exit);
        AssertOneSpiffeSan(leaf);
    }

    [Fact]
    public void Openssl_rejects_a_leaf_against_a_foreign_root()
    {
        using var ca = CaTest.Generated(_dir.File("a"));
        using var other = CaTest.Generated(_dir.File("b"));
        var leaf = WriteIssued(ca);
        var foreign = _dir.Write("foreign.pem", other.Bundle.ToPem());

        Assert.NotEqual(0, OpenSsl.TryRun(_dir, "verify", "-CAfile", foreign, leaf).Exit);
    }

    private string WriteIssued(CertificateAuthority ca)
    {
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using (key) return _dir.Write("leaf.pem", CaTest.Pem(ca.Issue(csr, CaTest.Sleep).CertificateDer));
    }

    private void AssertOneSpiffeSan(string leaf)
    {
        var text = OpenSsl.Run(_dir, "x509", "-noout", "-text", "-in", leaf);
        var san = Regex.Match(text, @"X509v3 Subject Alternative Name: critical\s*\n\s*(.+)\n");
        Assert.True(san.Success, text);
        Assert.Equal($"URI:{CaTest.Sleep}", san.Groups[1].Value.Trim());
        Assert.Single(Regex.Matches(text, "URI:spiffe://"));
        Assert.Contains("Digital Signature", text);
        Assert.Contains("CA:FALSE", text);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text);
    }
}
