using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Mesh.Protocol.Identity;

/// <summary>
/// The CA certificates a verifier trusts for one trust domain. Self-signed certificates are the trust anchors
/// (<see cref="Roots"/>); any others are only offered to chain building (<see cref="Intermediates"/>), never trusted
/// on their own. Immutable; equal when both hold the same certificates (by SHA-256 thumbprint, order ignored).
/// The certificates are owned by the bundle: callers must not dispose them.
/// </summary>
public sealed class TrustBundle : IEquatable<TrustBundle>
{
    private readonly X509Certificate2[] _all;
    private readonly HashSet<string> _thumbprints;

    private TrustBundle(X509Certificate2[] all)
    {
        _all = all;
        _thumbprints = all.Select(Thumbprint).ToHashSet(StringComparer.Ordinal);
        Roots = all.Where(IsSelfSigned).ToArray();
        Intermediates = all.Where(c => !IsSelfSigned(c)).ToArray();
    }

    public static TrustBundle Empty { get; } = new([]);

    public IReadOnlyList<X509Certificate2> Roots { get; }
    public IReadOnlyList<X509Certificate2> Intermediates { get; }
    public IReadOnlyList<X509Certificate2> Certificates => _all;

    /// <summary>Copies the certificates (so disposing the arguments cannot affect the bundle); duplicates are dropped.</summary>
    /// <exception cref="ArgumentException">A certificate is not a CA (basicConstraints CA=true).</exception>
    public static TrustBundle FromCertificates(IEnumerable<X509Certificate2> certificates)
    {
        var list = new List<X509Certificate2>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cert in certificates)
        {
            if (cert.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
                throw new ArgumentException($"trust bundle certificate '{cert.Subject}' is not a CA (basicConstraints CA=true is required)");
            if (seen.Add(Thumbprint(cert))) list.Add(X509CertificateLoader.LoadCertificate(cert.RawData));
        }
        return new TrustBundle(list.ToArray());
    }

    /// <exception cref="FormatException">No certificate, or one that is malformed or not a CA.</exception>
    public static TrustBundle FromPem(string pem)
    {
        var certs = new X509Certificate2Collection();
        try { certs.ImportFromPem(pem); }
        catch (CryptographicException e) { throw new FormatException($"trust bundle PEM is malformed: {e.Message}", e); }
        if (certs.Count == 0) throw new FormatException("trust bundle PEM contains no CERTIFICATE block");
        try { return FromCertificates(certs); }
        catch (ArgumentException e) { throw new FormatException(e.Message, e); }
        finally { foreach (var c in certs) c.Dispose(); }
    }

    public string ToPem()
    {
        var sb = new StringBuilder();
        foreach (var cert in _all) sb.Append(cert.ExportCertificatePem()).Append('\n');
        return sb.ToString();
    }

    /// <summary>Union of both bundles: during root rotation verifiers trust the old and the new root.</summary>
    public TrustBundle Merge(TrustBundle other) => FromCertificates(_all.Concat(other._all));

    public bool Contains(X509Certificate2 cert) => _thumbprints.Contains(Thumbprint(cert));

    public bool Equals(TrustBundle? other) => other is not null && _thumbprints.SetEquals(other._thumbprints);
    public override bool Equals(object? obj) => Equals(obj as TrustBundle);
    public override int GetHashCode() =>
        _thumbprints.Order(StringComparer.Ordinal).Aggregate(0, (h, t) => HashCode.Combine(h, t));

    internal static string Thumbprint(X509Certificate2 cert) => cert.GetCertHashString(HashAlgorithmName.SHA256);

    private static bool IsSelfSigned(X509Certificate2 cert) => cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData);
}
