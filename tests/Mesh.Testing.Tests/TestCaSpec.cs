using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Testing.Tests;

/// <summary>What the builder makes, judged by the production <see cref="SvidVerifier"/> and by openssl.</summary>
public sealed class TestCaSpec
{
    private static readonly SpiffeId Sleep = TestCa.Id;

    private static SvidVerification Verify(TestSvid svid, TrustBundle bundle, string trustDomain = TestCa.TrustDomain) =>
        SvidVerifier.Verify(svid.Certificate, svid.Chain, bundle, trustDomain, DateTimeOffset.UtcNow);

    [Fact]
    public void An_svid_from_a_root_is_valid_and_carries_its_key()
    {
        using var root = TestCa.Root();
        using var svid = root.Svid(Sleep);

        var result = Verify(svid, svid.Bundle);

        Assert.True(result.Valid, result.Error);
        Assert.Equal(Sleep, result.Id);
        Assert.True(svid.Certificate.HasPrivateKey);
        Assert.Empty(svid.Chain);
        Assert.Equal(root.Bundle, svid.Bundle);
    }

    [Fact]
    public void An_svid_from_an_intermediate_sends_the_chain_and_trusts_only_the_root()
    {
        using var root = TestCa.Root();
        using var intermediate = root.Intermediate();
        using var issuing = intermediate.Intermediate("O=cluster.local, CN=issuing");
        using var svid = issuing.Svid(Sleep);

        Assert.True(Verify(svid, root.Bundle).Valid);
        Assert.Equal([issuing.Certificate.RawData, intermediate.Certificate.RawData], svid.Chain.Select(c => c.RawData));
        Assert.Equal(root.Certificate.RawData, Assert.Single(svid.Bundle.Roots).RawData);
        Assert.Equal(2, issuing.Issue(Sleep, SvidKeys.Generate()).ChainDer.Count);
    }

    [Fact]
    public void The_variants_a_verifier_must_refuse_are_refused_for_the_reason_they_stand_for()
    {
        using var mesh = TestCa.Root();
        using var foreign = TestCa.Root(); // same subject, other key: the wrong CA
        using var other = TestCa.ForTrustDomain("other.local");
        var otherId = new SpiffeId("other.local", "default", "sleep");

        using var wrongCa = foreign.Svid(Sleep);
        using var otherDomain = other.Svid(otherId);
        using var expired = mesh.Svid(Sleep, LeafSpec.For(Sleep).Expired());
        using var notYet = mesh.Svid(Sleep, LeafSpec.For(Sleep).NotYetValid());
        using var caFlag = mesh.Svid(Sleep, LeafSpec.For(Sleep) with { Ca = true });

        Assert.Contains("does not chain to a root", Verify(wrongCa, mesh.Bundle).Error);
        Assert.Contains("trust domain", Verify(otherDomain, mesh.Bundle.Merge(other.Bundle)).Error);
        Assert.True(Verify(otherDomain, other.Bundle, "other.local").Valid);
        Assert.Contains("expired", Verify(expired, mesh.Bundle).Error);
        Assert.Contains("not yet valid", Verify(notYet, mesh.Bundle).Error);
        Assert.Contains("basicConstraints CA=true", Verify(caFlag, mesh.Bundle).Error);
    }

    [Fact]
    public void A_member_shaped_impostor_names_the_member_and_is_its_own_issuer()
    {
        using var impostor = TestCa.SelfSigned(LeafSpec.Member("node-a", "node"));

        Assert.Equal("CN=node-a, O=MeshActors", impostor.Subject);
        Assert.Equal(impostor.Subject, impostor.Issuer);
        Assert.True(impostor.HasPrivateKey);
        Assert.True(SpiffeCertificate.TryGetUriSans(impostor, out var uris, out _));
        Assert.Equal([MemberIdentity.SpiffeId("node")], uris);
    }

    [ToolFact("openssl")]
    public void Pem_files_are_what_openssl_verifies_and_the_key_matches_the_certificate()
    {
        using var dir = new TempDir();
        using var root = TestCa.Root();
        using var intermediate = root.Intermediate();
        using var svid = intermediate.Svid(Sleep);

        var files = svid.WritePem(dir.Path, "sleep");

        Assert.Equal([dir.File("sleep.crt"), dir.File("sleep.key"), dir.File("trust-bundle.pem"), dir.File("sleep.pem")],
            new[] { files.Certificate, files.Key, files.Bundle, files.Combined });
        // sleep.crt is leaf then chain: openssl takes the leaf from it and the intermediate as untrusted.
        Assert.Contains("OK", OpenSsl("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", files.Bundle, "-untrusted", files.Certificate, files.Certificate));
        Assert.Equal(OpenSsl("x509", "-noout", "-pubkey", "-in", files.Certificate), OpenSsl("pkey", "-pubout", "-in", files.Key));
        Assert.Equal(OpenSsl("x509", "-noout", "-pubkey", "-in", files.Combined), OpenSsl("pkey", "-pubout", "-in", files.Combined));
        using var loaded = X509Certificate2.CreateFromPemFile(files.Certificate, files.Key);
        Assert.Equal(svid.Certificate.RawData, loaded.RawData);
    }

    private static string OpenSsl(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "openssl timed out");
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)}: {stderr.Result}");
        return stdout.Result;
    }
}
