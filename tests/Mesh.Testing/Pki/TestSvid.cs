using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Testing;

/// <summary>Where <see cref="TestSvid.WritePem"/> put an SVID for non-.NET peers (curl, python, stunnel, haproxy).</summary>
/// <param name="Certificate">leaf, then its chain</param>
/// <param name="Key">PKCS#8 private key</param>
/// <param name="Bundle">the trust bundle (roots)</param>
/// <param name="Combined">certificate and key in one file (haproxy's crt)</param>
public sealed record PemFiles(string Certificate, string Key, string Bundle, string Combined);

/// <summary>
/// An SVID with everything a TLS endpoint needs: <paramref name="Certificate"/> carries its private key, <paramref name="Chain"/>
/// the intermediates to send, <paramref name="Bundle"/> the roots to trust. Node code wraps it as
/// <c>new WorkloadCertificate(Id, Certificate, Chain, Bundle)</c>.
/// </summary>
public sealed record TestSvid(SpiffeId Id, X509Certificate2 Certificate, IReadOnlyList<X509Certificate2> Chain, TrustBundle Bundle)
    : IDisposable
{
    public string CertificatePem =>
        Certificate.ExportCertificatePem() + "\n" + string.Concat(Chain.Select(c => c.ExportCertificatePem() + "\n"));

    public string KeyPem
    {
        get
        {
            using var key = Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"{Id}: certificate has no ECDSA key");
            return key.ExportPkcs8PrivateKeyPem() + "\n";
        }
    }

    /// <summary>
    /// Writes <c>NAME.crt</c> (leaf + chain), <c>NAME.key</c>, <c>NAME.pem</c> (both) and <c>trust-bundle.pem</c> into
    /// <paramref name="directory"/>; NAME defaults to the service account and the serial's start.
    /// </summary>
    public PemFiles WritePem(string directory, string? name = null)
    {
        Directory.CreateDirectory(directory);
        name ??= Id.ServiceAccount + "-" + Certificate.SerialNumber[..8];
        var files = new PemFiles(Path.Combine(directory, name + ".crt"), Path.Combine(directory, name + ".key"),
            Path.Combine(directory, "trust-bundle.pem"), Path.Combine(directory, name + ".pem"));
        File.WriteAllText(files.Certificate, CertificatePem);
        File.WriteAllText(files.Key, KeyPem);
        File.WriteAllText(files.Combined, CertificatePem + KeyPem);
        File.WriteAllText(files.Bundle, Bundle.ToPem());
        return files;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var c in Chain) c.Dispose();
    }
}
