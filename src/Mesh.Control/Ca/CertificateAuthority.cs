using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Mesh.Protocol.Identity;

namespace Mesh.Control.Ca;

/// <summary>
/// The mesh CA: signs workload X509-SVIDs for identities the caller has already authenticated. Like Istio's CA it
/// takes only the public key from the CSR; subject and SANs the CSR asks for are ignored. Thread-safe.
/// </summary>
public sealed partial class CertificateAuthority : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2 _signer;
    private readonly X509SignatureGenerator _generator;
    private readonly AsymmetricAlgorithm _key;
    private readonly X509Extension _authorityKeyId;
    private readonly IReadOnlyList<byte[]> _chainDer;
    private readonly CaOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _signing = new(); // the platform does not promise concurrent signing with one key handle

    private CertificateAuthority(X509Certificate2 signer, IReadOnlyList<byte[]> chainDer, TrustBundle bundle, CaOptions options, TimeProvider time)
    {
        _signer = signer;
        _chainDer = chainDer;
        Bundle = bundle;
        _options = options;
        _time = time;
        if (signer.GetECDsaPrivateKey() is { } ec)
        {
            _key = ec;
            _generator = X509SignatureGenerator.CreateForECDsa(ec);
        }
        else
        {
            var rsa = signer.GetRSAPrivateKey() ?? throw new CaException($"CA certificate '{signer.Subject}' has no usable private key");
            _key = rsa;
            _generator = X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1);
        }
        _authorityKeyId = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(signer, includeKeyIdentifier: true, includeIssuerAndSerial: false);
    }

    public string TrustDomain => _options.TrustDomain;

    /// <summary>The roots workloads must trust (never the signing key's intermediates).</summary>
    public TrustBundle Bundle { get; private set; }

    /// <summary>The certificate that signs workload certificates (a new public-only copy the caller disposes; the root itself unless an intermediate is configured).</summary>
    public X509Certificate2 SigningCertificate => X509CertificateLoader.LoadCertificate(_signer.RawData);

    /// <summary>Signs a certificate for <paramref name="identity"/> (already authenticated by the caller) and the CSR's key.</summary>
    /// <exception cref="CaException">The CSR is malformed, its key is not accepted, its signature does not verify,
    /// or the identity is outside this CA's trust domain.</exception>
    public IssuedSvid Issue(byte[] csrDer, SpiffeId identity, TimeSpan? ttl = null)
    {
        if (identity.TrustDomain != TrustDomain)
            throw new CaException($"identity {identity} is outside the CA's trust domain '{TrustDomain}'");
        var lifetime = ttl ?? _options.WorkloadTtl;
        if (lifetime <= TimeSpan.Zero) throw new CaException($"certificate lifetime must be positive, not {lifetime}");

        var publicKey = VerifiedPublicKey(csrDer);
        // Fresh request: nothing from the CSR but its key reaches the certificate.
        var request = new CertificateRequest(new X500DistinguishedName(""), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuth), new Oid(ClientAuth)], false));
        request.CertificateExtensions.Add(SpiffeCertificate.CreateSanExtension(identity));
        request.CertificateExtensions.Add(_authorityKeyId);

        var now = _time.GetUtcNow();
        var notBefore = Max(now - _options.Backdate, new DateTimeOffset(_signer.NotBefore.ToUniversalTime(), TimeSpan.Zero));
        var notAfter = Min(now + lifetime, new DateTimeOffset(_signer.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        if (notAfter <= now) throw new CaException($"CA certificate '{_signer.Subject}' has expired; no certificate can be issued");

        X509Certificate2 cert;
        lock (_signing) cert = request.Create(_signer.SubjectName, _generator, notBefore, notAfter, Serial.New());
        using (cert)
        {
            return new IssuedSvid(cert.RawData, _chainDer,
                new DateTimeOffset(cert.NotBefore.ToUniversalTime(), TimeSpan.Zero),
                new DateTimeOffset(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero), cert.SerialNumber);
        }
    }

    public void Dispose()
    {
        _key.Dispose();
        _signer.Dispose();
    }

    private static PublicKey VerifiedPublicKey(byte[] csrDer)
    {
        CertificateRequest csr;
        try
        {
            // First without the signature check, to tell a malformed CSR and a bad key apart from a forged one.
            csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation);
        }
        catch (CryptographicException e)
        {
            throw new CaException($"CSR is not a valid PKCS#10 request: {e.Message}", e);
        }
        if (SvidKeys.CheckPublicKey(csr.PublicKey) is { } keyError) throw new CaException($"CSR key rejected: {keyError}");
        try
        {
            // Default options verify the signature (proof of possession) and do not load the requested extensions.
            CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (CryptographicException e)
        {
            throw new CaException("CSR signature does not verify with its public key (tampered request or wrong key)", e);
        }
        return csr.PublicKey;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
