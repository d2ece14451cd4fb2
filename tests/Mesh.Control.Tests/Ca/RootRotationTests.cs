using Mesh.Control.Ca;
using Mesh.Protocol.Identity;

namespace Mesh.Control.Tests.Ca;

/// <summary>Root rotation: during the overlap the CA hands out a bundle with both roots.</summary>
public class RootRotationTests
{
    [Fact]
    public void Extra_roots_join_the_distributed_bundle_so_svids_of_both_roots_verify()
    {
        using var oldDir = new TempDir();
        using var newDir = new TempDir();
        using var oldCa = CaTest.Generated(oldDir);
        var oldRoots = newDir.Write("old-roots.pem", oldCa.Bundle.ToPem());

        using var newCa = CaTest.Generated(newDir.File("state"), configure: o => o.ExtraTrustRootsPath = oldRoots);

        Assert.Equal(2, newCa.Bundle.Roots.Count);
        var (key, csr) = CsrBuilder.Create(CaTest.Sleep);
        using var _ = key;
        var fromOld = oldCa.Issue(csr, CaTest.Sleep);
        var fromNew = newCa.Issue(csr, CaTest.Sleep);
        Assert.True(SvidVerifier.Verify(fromOld.WithPrivateKey(key), [], newCa.Bundle, "cluster.local", DateTimeOffset.UtcNow).Valid);
        Assert.True(SvidVerifier.Verify(fromNew.WithPrivateKey(key), [], newCa.Bundle, "cluster.local", DateTimeOffset.UtcNow).Valid);
        Assert.False(SvidVerifier.Verify(fromNew.WithPrivateKey(key), [], oldCa.Bundle, "cluster.local", DateTimeOffset.UtcNow).Valid);
    }

    [Fact]
    public void A_missing_or_broken_extra_roots_file_is_a_clear_error()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<CaException>(() => CaTest.Generated(dir.File("a"), configure: o => o.ExtraTrustRootsPath = dir.File("nope.pem")));
        Assert.Contains("ExtraTrustRootsPath", missing.Message);
        var garbage = dir.Write("garbage.pem", "not a certificate");
        var broken = Assert.Throws<CaException>(() => CaTest.Generated(dir.File("b"), configure: o => o.ExtraTrustRootsPath = garbage));
        Assert.Contains("ExtraTrustRootsPath", broken.Message);
    }
}
