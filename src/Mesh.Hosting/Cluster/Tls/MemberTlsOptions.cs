using Mesh.Protocol.Identity;

namespace Mesh.Hosting.Cluster.Tls;

/// <summary>
/// Mutual TLS between mesh members (Akka remoting). Bound from <c>Mesh:Tls</c>, e.g.
/// <c>--Mesh:Tls:Certificate=/etc/mesh/tls/tls.crt --Mesh:Tls:Key=/etc/mesh/tls/tls.key --Mesh:Tls:TrustBundle=/etc/mesh/tls/ca.crt</c>.
/// </summary>
public sealed class MemberTlsOptions
{
    public const string Section = "Tls";

    /// <summary>
    /// On/off switch. Unset means "on when a certificate is configured", so a deployment only has to mount files;
    /// <c>true</c> without files is a startup error rather than a silent fall-back to plaintext.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>This member's certificate: a PEM file (leaf first, intermediates may follow) or a PKCS#12 file (.pfx/.p12).</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key (PKCS#8, SEC1 or PKCS#1) for a PEM <see cref="Certificate"/>; unused for PKCS#12.</summary>
    public string? Key { get; set; }

    /// <summary>Password of a PKCS#12 <see cref="Certificate"/>, if any.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// PEM file with the member CA certificate(s). The ONLY roots a peer's chain may end in: the system trust store is
    /// never consulted, so a certificate from a public CA (or the workload CA) does not make a process a member.
    /// </summary>
    public string? TrustBundle { get; set; }

    /// <summary>
    /// A peer certificate must carry a URI SAN starting with this (defence in depth on top of the private CA: a
    /// certificate the member CA signed for some other purpose still does not pass).
    /// </summary>
    public string PeerIdPrefix { get; set; } = MemberIdentity.DefaultPeerIdPrefix;

    public bool IsEnabled => Enabled ?? !string.IsNullOrWhiteSpace(Certificate);
}
