using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Tls;

/// <summary>An SVID held for one workload identity: leaf with its private key, chain, trust bundle.</summary>
public sealed record WorkloadCertificate(
    SpiffeId Id,
    X509Certificate2 Leaf,
    IReadOnlyList<X509Certificate2> Chain,
    TrustBundle Bundle)
{
    public DateTimeOffset NotBefore => Leaf.NotBefore.ToUniversalTime();
    public DateTimeOffset NotAfter => Leaf.NotAfter.ToUniversalTime();
    public string SerialNumber => Leaf.SerialNumber;

    /// <summary>
    /// When to renew: half-way through the remaining validity as of <paramref name="received"/> (as Istio does). The CA
    /// backdates NotBefore for clock skew, so counting from NotBefore would renew short-lived certificates at once.
    /// </summary>
    public DateTimeOffset HalfLife(DateTimeOffset received)
    {
        var start = NotBefore > received ? NotBefore : received;
        return start + (NotAfter - start) / 2;
    }
}
