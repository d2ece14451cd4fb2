using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Protocol.Identity;

/// <summary>The key types of the mesh: we generate ECDSA P-256; a CA accepts P-256 or RSA with at least 2048 bits.</summary>
public static class SvidKeys
{
    public const int MinRsaKeySize = 2048;
    private const string P256Oid = "1.2.840.10045.3.1.7";

    public static ECDsa Generate() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Null when acceptable for a workload certificate, otherwise why not.</summary>
    public static string? CheckPublicKey(PublicKey key)
    {
        using (var ec = key.GetECDsaPublicKey())
        {
            if (ec is not null)
            {
                var curve = ec.ExportParameters(false).Curve;
                return curve.IsNamed && curve.Oid.Value == P256Oid
                    ? null
                    : $"ECDSA key on curve '{curve.Oid.FriendlyName ?? curve.Oid.Value}' is not accepted; use P-256";
            }
        }
        using (var rsa = key.GetRSAPublicKey())
        {
            if (rsa is not null)
            {
                return rsa.KeySize >= MinRsaKeySize ? null : $"RSA key of {rsa.KeySize} bits is too small; at least {MinRsaKeySize} are required";
            }
        }
        return $"key algorithm '{key.Oid.FriendlyName ?? key.Oid.Value}' is not accepted; use ECDSA P-256 or RSA >= {MinRsaKeySize}";
    }
}
