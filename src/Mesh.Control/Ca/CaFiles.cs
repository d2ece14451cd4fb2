using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Control.Ca;

/// <summary>Loading and checking PEM CA material, with errors that name the file and the problem.</summary>
internal static class CaFiles
{
    private const string EcOid = "1.2.840.10045.2.1";
    private const string RsaOid = "1.2.840.113549.1.1.1";

    public static List<X509Certificate2> LoadCertificates(string path, string what)
    {
        var collection = new X509Certificate2Collection();
        try { collection.ImportFromPem(ReadText(path, what)); }
        catch (CryptographicException e) { throw new CaException($"{what} '{path}' is not valid PEM: {e.Message}", e); }
        if (collection.Count == 0) throw new CaException($"{what} '{path}' contains no CERTIFICATE block");
        return collection.ToList();
    }

    /// <summary>The first certificate of <paramref name="certPath"/> with the private key of <paramref name="keyPath"/>.</summary>
    public static X509Certificate2 LoadSigner(string certPath, string keyPath, string what)
    {
        var certs = LoadCertificates(certPath, $"{what} certificate");
        using var cert = certs[0];
        foreach (var extra in certs.Skip(1)) extra.Dispose();
        var keyPem = ReadText(keyPath, $"{what} key");
        try
        {
            switch (cert.GetKeyAlgorithm())
            {
                case EcOid:
                {
                    using var key = ECDsa.Create();
                    key.ImportFromPem(keyPem);
                    CheckMatch(cert, key.ExportSubjectPublicKeyInfo(), certPath, keyPath, what);
                    return cert.CopyWithPrivateKey(key);
                }
                case RsaOid:
                {
                    using var key = RSA.Create();
                    key.ImportFromPem(keyPem);
                    CheckMatch(cert, key.ExportSubjectPublicKeyInfo(), certPath, keyPath, what);
                    return cert.CopyWithPrivateKey(key);
                }
                default:
                    throw new CaException($"{what} certificate '{certPath}' has an unsupported key algorithm {cert.GetKeyAlgorithm()}; use ECDSA or RSA");
            }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new CaException($"{what} key '{keyPath}' cannot be loaded (unencrypted PEM of the certificate's key type expected): {e.Message}", e);
        }
    }

    /// <summary>Null when <paramref name="cert"/> may sign certificates at <paramref name="now"/>, otherwise why not.</summary>
    public static string? SigningError(X509Certificate2 cert, DateTimeOffset now)
    {
        if (cert.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            return $"'{cert.Subject}' is not a CA certificate (basicConstraints CA=true is required)";
        if (cert.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is not { } ku || !ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            return $"'{cert.Subject}' lacks keyUsage keyCertSign, so it may not sign certificates";
        if (now.UtcDateTime > cert.NotAfter.ToUniversalTime()) return $"'{cert.Subject}' expired at {cert.NotAfter.ToUniversalTime():O}";
        if (now.UtcDateTime < cert.NotBefore.ToUniversalTime()) return $"'{cert.Subject}' is not valid before {cert.NotBefore.ToUniversalTime():O}";
        return null;
    }

    public static bool IsSelfIssued(X509Certificate2 cert) => cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData);

    private static void CheckMatch(X509Certificate2 cert, byte[] keySpki, string certPath, string keyPath, string what)
    {
        if (!cert.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(keySpki))
            throw new CaException($"{what} key '{keyPath}' does not match the certificate '{certPath}'");
    }

    private static string ReadText(string path, string what)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaException($"cannot read {what} '{path}': {e.Message}", e);
        }
    }
}
