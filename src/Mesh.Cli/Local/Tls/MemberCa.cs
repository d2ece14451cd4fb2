using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Cli.Local.Tls;

/// <summary>
/// The mesh's member CA: an ECDSA P-256 root that signs the certificates mesh members (control, node) present to
/// each other on the Akka cluster transport. It is NOT the workload CA: a workload identity must never let a
/// process join the cluster.
/// </summary>
public sealed class MemberCa(X509Certificate2 certificate) : IDisposable
{
    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    private static readonly TimeSpan MemberLifetime = TimeSpan.FromDays(90);
    // A CA this close to expiry is replaced rather than used to sign certificates that would outlive it.
    private static readonly TimeSpan RenewBefore = MemberLifetime + TimeSpan.FromDays(1);

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; } = certificate;

    public static MemberCa Create(string commonName = "MeshActors member CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}, O=MeshActors"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new MemberCa(request.CreateSelfSigned(now.AddMinutes(-5), now + CaLifetime));
    }

    /// <summary>Loads the CA from <paramref name="certPath"/>/<paramref name="keyPath"/>, creating (and saving) a new one when missing or near expiry.</summary>
    public static MemberCa LoadOrCreate(string certPath, string keyPath)
    {
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            if (existing.NotAfter.ToUniversalTime() > DateTime.UtcNow + RenewBefore) return new MemberCa(existing);
            existing.Dispose();
        }
        var ca = Create();
        ca.Save(certPath, keyPath);
        return ca;
    }

    public void Save(string certPath, string keyPath)
    {
        using var key = Certificate.GetECDsaPrivateKey()!;
        PrivateFiles.Write(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        // The certificate is the trust bundle members read; it is public, but nothing else needs it either.
        PrivateFiles.Write(certPath, Certificate.ExportCertificatePem() + "\n");
    }

    /// <summary>
    /// A member certificate: URI SAN <c>spiffe://cluster.local/ns/mesh-system/sa/mesh-&lt;role&gt;</c> (what peers check),
    /// DNS SAN and CN = <paramref name="name"/> (what humans read), serverAuth + clientAuth (members both dial and accept).
    /// </summary>
    public X509Certificate2 Issue(string name, string role, TimeSpan? lifetime = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}, O=MeshActors"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(MemberIdentity.SpiffeId(role)));
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = now + (lifetime ?? MemberLifetime);
        if (notAfter > Certificate.NotAfter) notAfter = Certificate.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        using var publicOnly = request.Create(Certificate, now.AddMinutes(-5), notAfter, serial);
        return publicOnly.CopyWithPrivateKey(key);
    }

    /// <summary>Issues and writes a member's certificate and key (0600) as PEM.</summary>
    public void IssueTo(string name, string role, string certPath, string keyPath)
    {
        using var certificate = Issue(name, role);
        using var key = certificate.GetECDsaPrivateKey()!;
        PrivateFiles.Write(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        PrivateFiles.Write(certPath, certificate.ExportCertificatePem() + "\n");
    }

    public void Dispose() => Certificate.Dispose();
}
