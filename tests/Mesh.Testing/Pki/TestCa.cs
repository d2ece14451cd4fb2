using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Testing;

/// <summary>
/// A throwaway CA built directly with CertificateRequest (no files, no production CA code), so tests can make any
/// certificate — including ones our CA never would: a root or intermediates (<see cref="Intermediate"/>), SVIDs
/// (<see cref="Svid"/>, <see cref="Issue"/>), leaves with any profile (<see cref="Leaf(LeafSpec?)"/>), self-signed
/// impostors (<see cref="SelfSigned"/>). The wrong-CA variant is simply another <see cref="Root"/> (same subject,
/// other key); another trust domain is a root for it plus SVIDs whose ids name it.
/// </summary>
public sealed class TestCa : IDisposable
{
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public const string TrustDomain = "cluster.local";
    /// <summary>One clock reading for the whole test run, so validity windows can be asserted against it.</summary>
    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    public static readonly SpiffeId Id = new(TrustDomain, "default", "sleep");

    private readonly ECDsa _key;
    private readonly TestCa? _issuer;

    private TestCa(X509Certificate2 certificate, ECDsa key, TestCa? issuer)
    {
        Certificate = certificate;
        _key = key;
        _issuer = issuer;
    }

    /// <summary>Public part only, as it would be distributed.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The root of this hierarchy as a trust bundle (for a root: itself).</summary>
    public TrustBundle Bundle => TrustBundle.FromCertificates([RootCa.Certificate]);

    /// <summary>What a leaf issued here sends with it: this CA and its issuers up to, not including, the root.</summary>
    public IReadOnlyList<TestCa> Chain => _issuer is null ? [] : [this, .. _issuer.Chain];

    private TestCa RootCa => _issuer?.RootCa ?? this;

    public string CertificatePem => Certificate.ExportCertificatePem() + "\n";

    public static TestCa Root(string subject = "O=" + TrustDomain, int? pathLength = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = SvidKeys.Generate();
        var request = CaRequest(subject, key, true, X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, pathLength);
        using var cert = request.CreateSelfSigned(notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddYears(1));
        return new TestCa(X509CertificateLoader.LoadCertificate(cert.RawData), key, null);
    }

    /// <summary>A root for another trust domain (subject O=<paramref name="trustDomain"/>, as our CA names its roots).</summary>
    public static TestCa ForTrustDomain(string trustDomain) => Root($"O={trustDomain}");

    /// <summary>An intermediate signed by this CA; <paramref name="ca"/>/<paramref name="keyUsage"/> make the broken variants.</summary>
    public TestCa Intermediate(string subject = "O=" + TrustDomain + ", CN=intermediate", bool ca = true,
        X509KeyUsageFlags? keyUsage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, int? pathLength = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = SvidKeys.Generate();
        var request = CaRequest(subject, key, ca, keyUsage, pathLength);
        var cert = Sign(request, notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddMonths(6));
        return new TestCa(cert, key, this);
    }

    public X509Certificate2 Leaf(LeafSpec? spec = null) => Leaf(spec ?? new LeafSpec(), SvidKeys.Generate());

    /// <summary>A leaf certified for <paramref name="key"/>, returned with the private key attached.</summary>
    public X509Certificate2 Leaf(LeafSpec spec, ECDsa key)
    {
        using var cert = Sign(LeafRequest(spec, key), spec.NotBefore, spec.NotAfter);
        return cert.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// An SVID for <paramref name="id"/> as the CA's answer to a CSR: DER plus the chain to send (default: <see cref="Chain"/>).
    /// </summary>
    public IssuedSvid Issue(SpiffeId id, ECDsa key, params TestCa[] chain)
    {
        using var cert = Leaf(LeafSpec.For(id), key);
        var sent = chain.Length == 0 ? Chain : chain;
        return new IssuedSvid(cert.RawData, sent.Select(c => c.Certificate.RawData).ToList(),
            cert.NotBefore.ToUniversalTime(), cert.NotAfter.ToUniversalTime(), cert.SerialNumber);
    }

    /// <summary>
    /// An SVID as a workload holds one: leaf with a fresh key, its chain, and this hierarchy's root as the bundle —
    /// the parts of the node's <c>WorkloadCertificate</c>. <paramref name="spec"/> (default: <see cref="LeafSpec.For"/>)
    /// makes the expired, CA-flag or other-trust-domain variants.
    /// </summary>
    public TestSvid Svid(SpiffeId id, LeafSpec? spec = null)
    {
        using var key = SvidKeys.Generate();
        var leaf = Leaf(spec ?? LeafSpec.For(id), key);
        var chain = Chain.Select(c => X509CertificateLoader.LoadCertificate(c.Certificate.RawData)).ToList();
        return new TestSvid(id, leaf, chain, Bundle);
    }

    /// <summary>A self-signed certificate with <paramref name="spec"/>'s profile: an impostor that no CA vouches for.</summary>
    public static X509Certificate2 SelfSigned(LeafSpec spec)
    {
        using var key = SvidKeys.Generate();
        var request = LeafRequest(spec, key);
        using var cert = request.CreateSelfSigned(spec.NotBefore, spec.NotAfter);
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private X509Certificate2 Sign(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        return request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), notBefore, notAfter, serial);
    }

    private static CertificateRequest CaRequest(string subject, ECDsa key, bool ca, X509KeyUsageFlags? keyUsage, int? pathLength)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, pathLength.HasValue, pathLength ?? 0, true));
        if (keyUsage is { } ku) request.CertificateExtensions.Add(new X509KeyUsageExtension(ku, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static CertificateRequest LeafRequest(LeafSpec spec, ECDsa key)
    {
        var request = new CertificateRequest(new X500DistinguishedName(spec.Subject), key, HashAlgorithmName.SHA256);
        // Critical when the SAN is all there is to name the holder (an SVID's subject is empty), as our CA writes it.
        if (spec.Uris is not null || spec.DnsNames is not null)
            request.CertificateExtensions.Add(San(spec.Uris ?? [], spec.DnsNames ?? [], critical: spec.DnsNames is null));
        if (spec.Ca is { } ca) request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        if (spec.KeyUsage is { } ku) request.CertificateExtensions.Add(new X509KeyUsageExtension(ku, true));
        if (spec.Ekus is { } ekus)
        {
            var oids = new OidCollection();
            foreach (var e in ekus) oids.Add(new Oid(e));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }
        return request;
    }

    // URIs are written verbatim (System.Uri would normalise case and escapes), so tests can craft malformed ids.
    private static X509Extension San(IEnumerable<string> uris, IEnumerable<string> dnsNames, bool critical)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var uri in uris) writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
            foreach (var name in dnsNames) writer.WriteCharacterString(UniversalTagNumber.IA5String, name, new Asn1Tag(TagClass.ContextSpecific, 2));
        }
        return new X509Extension(SpiffeCertificate.SubjectAltNameOid, writer.Encode(), critical);
    }
}
