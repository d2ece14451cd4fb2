using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Protocol.Identity;

/// <summary>Creates the key pair and PKCS#10 request a workload sends to the CA; the private key never leaves the caller.</summary>
public static class CsrBuilder
{
    /// <returns>A new ECDSA P-256 key (the caller owns and disposes it) and a DER CSR signed by it, asking for <paramref name="id"/>.</returns>
    public static (ECDsa PrivateKey, byte[] CsrDer) Create(SpiffeId id)
    {
        var key = SvidKeys.Generate();
        try
        {
            var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
            // The CA ignores it (the identity comes from authentication) but it documents intent and suits other CAs.
            request.CertificateExtensions.Add(SpiffeCertificate.CreateSanExtension(id));
            return (key, request.CreateSigningRequest());
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
