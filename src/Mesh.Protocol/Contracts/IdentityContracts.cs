namespace Mesh.Protocol.Contracts;

/// <summary>
/// ztunnel → any control member (pub-sub Send to <see cref="CaPaths.Ca"/>): sign this CSR for a workload identity
/// of a pod scheduled on my node. The private key never leaves the node; only the PKCS#10 CSR (PEM) travels.
/// </summary>
public sealed record CertificateSigningRequest(string Node, string Identity, string CsrPem) : IMeshMessage;

/// <summary>CA → ztunnel: the SVID (leaf first, then intermediates, PEM) and the trust bundle to verify peers with.</summary>
public sealed record CertificateIssued(string Identity, string CertificateChainPem, string TrustBundlePem) : IMeshMessage;

/// <summary>CA → ztunnel: refused, with the reason (logged on both sides).</summary>
public sealed record CertificateRefused(string Identity, string Reason) : IMeshMessage;

public static class CaPaths
{
    /// <summary>Path of the CA actor on every control member, registered with distributed pub-sub.</summary>
    public const string Ca = "/user/ca";
}
