using System.Security.Cryptography.X509Certificates;
using Mesh.Control.Ca;
using Mesh.Hbone.Tls;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hbone.Tests;

/// <summary>Real mesh CAs (our own CertificateAuthority, in temp dirs) and SVIDs issued by them, shared by the HBONE tests.</summary>
internal sealed class HbonePki
{
    private static readonly Lazy<HbonePki> Shared = new(() => new HbonePki());

    private HbonePki()
    {
        Mesh = NewCa("cluster.local");
        Foreign = NewCa("cluster.local"); // same trust domain, different root
        OtherDomain = NewCa("other.local");
    }

    public static HbonePki Instance => Shared.Value;

    public static readonly SpiffeId Client = new("cluster.local", "default", "sleep");
    public static readonly SpiffeId Server = new("cluster.local", "default", "httpbin");

    public CertificateAuthority Mesh { get; }
    public CertificateAuthority Foreign { get; }
    public CertificateAuthority OtherDomain { get; }

    /// <summary>A fresh SVID (new key, new serial) for <paramref name="id"/> from <paramref name="ca"/> (default: the mesh CA).</summary>
    public WorkloadCertificate Issue(SpiffeId id, CertificateAuthority? ca = null)
    {
        ca ??= Mesh;
        var (key, csr) = CsrBuilder.Create(id);
        var issued = ca.Issue(csr, id);
        var leaf = issued.WithPrivateKey(key);
        return new WorkloadCertificate(id, leaf, issued.LoadChain().Cast<X509Certificate2>().ToList(), ca.Bundle);
    }

    /// <summary>PEM files for non-.NET peers (python): leaf, key, bundle.</summary>
    public (string Cert, string Key, string Bundle) WritePem(WorkloadCertificate certificate, string directory)
    {
        Directory.CreateDirectory(directory);
        var name = certificate.Id.ServiceAccount + "-" + certificate.SerialNumber[..8];
        var cert = Path.Combine(directory, name + ".crt");
        var key = Path.Combine(directory, name + ".key");
        var bundle = Path.Combine(directory, "bundle.pem");
        File.WriteAllText(cert, certificate.Leaf.ExportCertificatePem() + "\n" +
                                string.Concat(certificate.Chain.Select(c => c.ExportCertificatePem() + "\n")));
        File.WriteAllText(key, certificate.Leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(bundle, certificate.Bundle.ToPem());
        return (cert, key, bundle);
    }

    private static CertificateAuthority NewCa(string trustDomain)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mesh-hbone-tests", Guid.NewGuid().ToString("n"));
        return CertificateAuthority.LoadOrCreate(new CaOptions { TrustDomain = trustDomain, StateDir = dir }, NullLogger.Instance);
    }
}
