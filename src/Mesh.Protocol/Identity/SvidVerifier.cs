using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Protocol.Identity;

/// <summary>
/// The one X509-SVID verifier of the mesh (https://github.com/spiffe/spiffe/blob/main/standards/X509-SVID.md):
/// RFC 5280 path validation against our own trust bundle only, plus the SPIFFE leaf and signing-certificate rules.
/// </summary>
public static class SvidVerifier
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    public static SvidVerification Verify(
        X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, TrustBundle bundle,
        string expectedTrustDomain, DateTimeOffset now)
    {
        if (!SpiffeCertificate.TryGetSpiffeId(leaf, out var id, out var idError)) return SvidVerification.Fail(idError);
        if (id.TrustDomain != expectedTrustDomain)
            return SvidVerification.Fail($"SPIFFE id {id} is not in trust domain '{expectedTrustDomain}'", id);
        if (LeafError(leaf) is { } leafError) return SvidVerification.Fail(leafError, id);

        // Own messages for the common time failures; the chain below also checks the CAs' validity periods.
        var utc = now.UtcDateTime;
        if (utc > leaf.NotAfter.ToUniversalTime())
            return SvidVerification.Fail($"certificate of {id} expired at {leaf.NotAfter.ToUniversalTime():O}", id);
        if (utc < leaf.NotBefore.ToUniversalTime())
            return SvidVerification.Fail($"certificate of {id} is not yet valid (valid from {leaf.NotBefore.ToUniversalTime():O})", id);

        if (bundle.Roots.Count == 0) return SvidVerification.Fail("trust bundle has no root certificate", id);
        using var chain = new X509Chain();
        chain.ChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            VerificationTime = utc,
            VerificationTimeIgnored = false,
            DisableCertificateDownloads = true,
        };
        chain.ChainPolicy.CustomTrustStore.AddRange(bundle.Roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(bundle.Intermediates.ToArray());
        try
        {
            if (!chain.Build(leaf)) return SvidVerification.Fail(ChainError(chain), id);
            var elements = chain.ChainElements;
            // Defence in depth: the anchor must be one of our roots, whatever the platform chain engine did.
            if (elements.Count < 2 || !bundle.Roots.Any(r => r.RawData.AsSpan().SequenceEqual(elements[^1].Certificate.RawData)))
                return SvidVerification.Fail("certificate chain does not end at a root of the trust bundle", id);
            for (var i = 1; i < elements.Count; i++)
            {
                if (SigningCertError(elements[i].Certificate) is { } caError) return SvidVerification.Fail(caError, id);
            }
        }
        finally
        {
            foreach (var element in chain.ChainElements) element.Certificate.Dispose();
        }
        return SvidVerification.Ok(id);
    }

    /// <summary>
    /// A TLS validation callback (SslStream, or Kestrel via <c>(c, ch, e) =&gt; v(null!, c, ch, e)</c>) that decides
    /// solely by <see cref="Verify"/> against <paramref name="bundle"/>: the platform's verdict (system roots, host
    /// name) is ignored in both directions. <paramref name="authorize"/> may further restrict the verified peer id.
    /// The bundle is fetched per handshake so root rotation applies to new connections.
    /// </summary>
    public static RemoteCertificateValidationCallback CreateValidator(
        Func<TrustBundle> bundle, string trustDomain, Func<SpiffeId, bool>? authorize, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        return (_, certificate, chain, errors) =>
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return false;
            var owned = certificate as X509Certificate2 is null;
            var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            try
            {
                // SslStream puts the certificates the peer sent into ExtraStore; they are candidates, never anchors.
                var sent = chain?.ChainPolicy.ExtraStore.Where(c => !c.RawData.AsSpan().SequenceEqual(leaf.RawData)).ToList() ?? [];
                var result = Verify(leaf, sent, bundle(), trustDomain, clock.GetUtcNow());
                return result is { Valid: true, Id: { } id } && (authorize?.Invoke(id) ?? true);
            }
            finally
            {
                if (owned) leaf.Dispose();
            }
        };
    }

    private static string? LeafError(X509Certificate2 leaf)
    {
        if (leaf.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
            return "certificate is a CA (basicConstraints CA=true); an X509-SVID leaf must not be";
        if (leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is not { } ku)
            return "certificate has no keyUsage extension; an X509-SVID leaf must set digitalSignature";
        if (ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            return "certificate has keyUsage keyCertSign; an X509-SVID leaf must not";
        if (ku.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign))
            return "certificate has keyUsage cRLSign; an X509-SVID leaf must not";
        if (!ku.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
            return "certificate's keyUsage lacks digitalSignature; an X509-SVID leaf must set it";
        // Optional, but when present the spec requires both purposes: mesh peers act as client and server.
        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku)
        {
            var oids = eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToHashSet();
            if (!oids.Contains(ServerAuthOid) || !oids.Contains(ClientAuthOid))
                return "certificate's extendedKeyUsage must include both serverAuth and clientAuth";
        }
        return null;
    }

    private static string? SigningCertError(X509Certificate2 ca)
    {
        if (ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            return $"signing certificate '{ca.Subject}' is not a CA (basicConstraints CA=true is required)";
        if (ca.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is not { } ku || !ku.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            return $"signing certificate '{ca.Subject}' lacks keyUsage keyCertSign";
        return null;
    }

    private static string ChainError(X509Chain chain)
    {
        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (f, s) => f | s.Status);
        var details = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
            return $"certificate does not chain to a root of the trust bundle (signed by a foreign or missing CA): {details}";
        if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
            return $"a CA certificate in the chain is expired or not yet valid: {details}";
        return $"certificate chain is invalid ({flags}): {details}";
    }
}
