using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Protocol.Tests.Identity;

/// <summary>What a test leaf should look like; the defaults make a valid SVID for <see cref="TestCa.Id"/>.</summary>
internal sealed record LeafSpec
{
    public string[]? Uris { get; init; } = [TestCa.Id.ToString()];
    public bool? Ca { get; init; } = false; // null: no basicConstraints extension
    public X509KeyUsageFlags? KeyUsage { get; init; } = X509KeyUsageFlags.DigitalSignature; // null: no extension
    public string[]? Ekus { get; init; } = [TestCa.ServerAuth, TestCa.ClientAuth]; // null: no extension
    public DateTimeOffset NotBefore { get; init; } = TestCa.Now.AddHours(-1);
    public DateTimeOffset NotAfter { get; init; } = TestCa.Now.AddDays(1);
}

/// <summary>A throwaway CA built directly with CertificateRequest, so tests can make certificates our CA never would.</summary>
internal sealed class TestCa : IDisposable
{
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    public static readonly SpiffeId Id = new("cluster.local", "default", "sleep");

    private readonly ECDsa _key;

    private TestCa(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    /// <summary>Public part only, as it would be distributed.</summary>
    public X509Certificate2 Certificate { get; }

    public TrustBundle Bundle => TrustBundle.FromCertificates([Certificate]);

    public static TestCa Root(string subject = "O=cluster.local", int? pathLength = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = SvidKeys.Generate();
        var request = CaRequest(subject, key, true, X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, pathLength);
        using var cert = request.CreateSelfSigned(notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddYears(1));
        return new TestCa(X509CertificateLoader.LoadCertificate(cert.RawData), key);
    }

    public TestCa Intermediate(string subject = "O=cluster.local, CN=intermediate", bool ca = true,
        X509KeyUsageFlags? keyUsage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, int? pathLength = null,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = SvidKeys.Generate();
        var request = CaRequest(subject, key, ca, keyUsage, pathLength);
        var cert = Sign(request, notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddMonths(6));
        return new TestCa(cert, key);
    }

    public X509Certificate2 Leaf(LeafSpec? spec = null) => Leaf(spec ?? new LeafSpec(), SvidKeys.Generate());

    /// <summary>A leaf certified for <paramref name="key"/>, returned with the private key attached.</summary>
    public X509Certificate2 Leaf(LeafSpec spec, ECDsa key)
    {
        using var cert = Sign(LeafRequest(spec, key), spec.NotBefore, spec.NotAfter);
        return cert.CopyWithPrivateKey(key);
    }

    public IssuedSvid Issue(SpiffeId id, ECDsa key, params TestCa[] chain)
    {
        using var cert = Leaf(new LeafSpec { Uris = [id.ToString()] }, key);
        return new IssuedSvid(cert.RawData, chain.Select(c => c.Certificate.RawData).ToList(),
            cert.NotBefore.ToUniversalTime(), cert.NotAfter.ToUniversalTime(), cert.SerialNumber);
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
        serial[0] &= 0x7F;
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
        var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        if (spec.Uris is { } uris) request.CertificateExtensions.Add(SpiffeCertificate.CreateUriSanExtension(uris, critical: true));
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
}
