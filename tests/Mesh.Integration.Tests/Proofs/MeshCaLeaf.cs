using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Integration.Tests.Proofs;

/// <summary>
/// A workload certificate the test issues itself from the running mesh's CA (local mode keeps the generated root and
/// its key in <c>&lt;state-dir&gt;/ca/ca-cert.pem</c> and <c>ca-key.pem</c>), shaped as an X509-SVID: ECDSA P-256, one
/// critical URI SAN, digitalSignature, server+client auth, not a CA. Written as PEM files for a foreign client.
/// (tests/Mesh.Testing's TestCa makes its own CAs; this signs with one it did not make.)
/// </summary>
internal sealed record MeshCaLeaf(string CertPath, string KeyPath)
{
    public static string RootPath(string caDir) => Path.Combine(caDir, "ca-cert.pem");

    /// <summary>The running mesh's CA root, with its key.</summary>
    public static X509Certificate2 LoadMeshCa(string caDir) =>
        X509Certificate2.CreateFromPemFile(RootPath(caDir), Path.Combine(caDir, "ca-key.pem"));

    /// <summary>Issues <paramref name="spiffeId"/> from <paramref name="ca"/> into <paramref name="outputDir"/> (files named after <paramref name="fileName"/>).</summary>
    public static MeshCaLeaf Issue(X509Certificate2 ca, string spiffeId, string outputDir, string fileName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(san.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var leaf = request.Create(ca, now.AddMinutes(-5), now.AddHours(1), serial);

        var leafPath = Path.Combine(outputDir, fileName + ".pem");
        var keyPath = Path.Combine(outputDir, fileName + ".key");
        File.WriteAllText(leafPath, leaf.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new MeshCaLeaf(leafPath, keyPath);
    }
}
