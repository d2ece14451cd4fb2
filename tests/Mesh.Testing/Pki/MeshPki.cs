using Mesh.Hbone.Tls;
using Mesh.Protocol.Identity;

namespace Mesh.Testing;

/// <summary>
/// The CAs data-path tests present SVIDs from: the mesh's own (<see cref="Mesh"/>), an impostor with the same trust
/// domain but another root (<see cref="Foreign"/>), and another trust domain (<see cref="OtherDomain"/>); plus the two
/// identities most HBONE tests speak as. Shared per test process (building CAs is the slow part).
/// </summary>
public sealed class MeshPki
{
    private static readonly Lazy<MeshPki> Shared = new(() => new MeshPki());

    private MeshPki()
    {
        Mesh = TestCa.Root();
        Foreign = TestCa.Root("O=" + TestCa.TrustDomain + ", CN=impostor");
        OtherDomain = TestCa.ForTrustDomain("other.local");
    }

    public static MeshPki Instance => Shared.Value;

    public static readonly SpiffeId Client = new(TestCa.TrustDomain, "default", "sleep");
    public static readonly SpiffeId Server = new(TestCa.TrustDomain, "default", "httpbin");

    public TestCa Mesh { get; }
    public TestCa Foreign { get; }
    public TestCa OtherDomain { get; }

    /// <summary>A fresh SVID (new key, new serial) for <paramref name="id"/> from <paramref name="ca"/> (default: the mesh CA).</summary>
    public WorkloadCertificate Issue(SpiffeId id, TestCa? ca = null) => (ca ?? Mesh).Svid(id).ToWorkloadCertificate();
}

public static class TestSvidExtensions
{
    /// <summary>The SVID as the data path's TLS endpoints take it.</summary>
    public static WorkloadCertificate ToWorkloadCertificate(this TestSvid svid) =>
        new(svid.Id, svid.Certificate, svid.Chain, svid.Bundle);

    /// <summary>PEM files (leaf + chain, key, bundle) for peers that are not .NET (python, openssl).</summary>
    public static PemFiles WritePem(this WorkloadCertificate certificate, string directory) =>
        new TestSvid(certificate.Id, certificate.Leaf, certificate.Chain, certificate.Bundle).WritePem(directory);
}
