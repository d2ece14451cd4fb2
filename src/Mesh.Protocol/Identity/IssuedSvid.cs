using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Protocol.Identity;

/// <summary>
/// A certificate the CA issued. <paramref name="ChainDer"/> holds the intermediates from the issuer up to but
/// excluding the root (empty when the root signs directly); the root travels in the <see cref="TrustBundle"/>.
/// Note: record equality compares the byte arrays by reference.
/// </summary>
public sealed record IssuedSvid(
    byte[] CertificateDer, IReadOnlyList<byte[]> ChainDer, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string SerialNumber)
{
    /// <summary>The certificate combined with its private key, usable as an SslStream/Kestrel server or client certificate.</summary>
    public X509Certificate2 WithPrivateKey(ECDsa key)
    {
        using var cert = X509CertificateLoader.LoadCertificate(CertificateDer);
        var withKey = cert.CopyWithPrivateKey(key); // throws if the key does not match
        if (OperatingSystem.IsLinux()) return withKey; // OpenSSL uses the key handle directly
        // SChannel (and the Apple stack) cannot use an ephemeral in-memory key for TLS: round-trip through PKCS#12.
        using (withKey)
        {
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>The intermediates as certificates (the caller disposes them).</summary>
    public X509Certificate2Collection LoadChain() => new(ChainDer.Select(X509CertificateLoader.LoadCertificate).ToArray());

    /// <summary>A TLS certificate context that sends the leaf and its intermediates, so peers can build the chain to the root.</summary>
    public SslStreamCertificateContext CreateCertificateContext(ECDsa key) =>
        SslStreamCertificateContext.Create(WithPrivateKey(key), LoadChain(), offline: true);
}
