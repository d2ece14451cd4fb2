using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Mesh.Node.Identity;
using Mesh.Testing;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Node.Tests.Identity;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertificateCacheSpec : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ma-certcache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private CertificateCache Cache() => new(_dir, NullLogger.Instance);

    [Fact]
    public void A_stored_certificate_is_served_by_the_next_store_with_a_working_key_and_a_root_only_file()
    {
        var issued = MeshPki.Instance.Issue(MeshPki.Client);
        new CertificateStore(cache: Cache()).Put(issued);

        var file = Assert.Single(Directory.GetFiles(_dir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

        var restarted = new CertificateStore(cache: Cache());
        Assert.True(restarted.TryGet(MeshPki.Client, out var restored));
        Assert.Equal(issued.SerialNumber, restored.SerialNumber);
        Assert.Equal(issued.Bundle, restored.Bundle);
        // The restored key signs and the original public key verifies: the pair survived the round trip.
        var data = RandomNumberGenerator.GetBytes(64);
        var signature = restored.Leaf.GetECDsaPrivateKey()!.SignData(data, HashAlgorithmName.SHA256);
        Assert.True(issued.Leaf.GetECDsaPublicKey()!.VerifyData(data, signature, HashAlgorithmName.SHA256));
        Assert.True(SvidVerifier.Verify(restored.Leaf, restored.Chain, restored.Bundle, "cluster.local", DateTimeOffset.UtcNow).Valid);
        Assert.True(restarted.WaitForAsync(MeshPki.Client, TimeSpan.FromMilliseconds(1)).IsCompletedSuccessfully);
    }

    [Fact]
    public void Corrupt_files_are_skipped_and_the_rest_still_load()
    {
        new CertificateStore(cache: Cache()).Put(MeshPki.Instance.Issue(MeshPki.Server));
        File.WriteAllText(Path.Combine(_dir, "broken.json"), "{ not json");
        File.WriteAllText(Path.Combine(_dir, "empty.json"), "{}");

        var loaded = Cache().Load(DateTimeOffset.UtcNow);

        Assert.Equal(MeshPki.Server, Assert.Single(loaded).Id);
    }

    [Fact]
    public void Expired_certificates_are_not_served_and_their_files_are_removed()
    {
        new CertificateStore(cache: Cache()).Put(MeshPki.Instance.Issue(MeshPki.Client));

        var loaded = Cache().Load(DateTimeOffset.UtcNow.AddDays(400));

        Assert.Empty(loaded);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Pruning_drops_identities_no_longer_needed_and_their_files_but_stopping_an_actor_does_not()
    {
        var store = new CertificateStore(cache: Cache());
        store.Put(MeshPki.Instance.Issue(MeshPki.Client));
        store.Put(MeshPki.Instance.Issue(MeshPki.Server));

        store.Remove(MeshPki.Server); // what a certificate actor does when it stops (also on shutdown)
        Assert.Equal(2, Directory.GetFiles(_dir).Length);

        store.Prune(new HashSet<SpiffeId> { MeshPki.Client });
        Assert.Single(Directory.GetFiles(_dir));
        Assert.True(new CertificateStore(cache: Cache()).TryGet(MeshPki.Client, out _));
        Assert.False(new CertificateStore(cache: Cache()).TryGet(MeshPki.Server, out _));
    }
}
