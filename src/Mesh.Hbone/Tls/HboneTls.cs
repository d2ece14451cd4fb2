using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Tls;

/// <summary>
/// HBONE's TLS: 1.3 only, ALPN h2, no SNI, an SVID on both sides, peers verified only against our trust bundle
/// (<see cref="SvidVerifier"/>) and authorized by SPIFFE id.
/// </summary>
internal static class HboneTls
{
    private static readonly List<SslApplicationProtocol> H2 = [SslApplicationProtocol.Http2];

    // One certificate context (leaf + chain, built once) per SVID; dropped with the certificate after rotation.
    private static readonly ConditionalWeakTable<X509Certificate2, SslStreamCertificateContext> Contexts = [];

    public static SslStreamCertificateContext Context(WorkloadCertificate certificate) =>
        Contexts.GetValue(certificate.Leaf, _ =>
            SslStreamCertificateContext.Create(certificate.Leaf, new X509Certificate2Collection(certificate.Chain.ToArray()), offline: true));

    /// <summary>Client side: the server must prove exactly <paramref name="destination"/>.</summary>
    public static SslClientAuthenticationOptions Client(WorkloadCertificate source, SpiffeId destination) => new()
    {
        // Empty: no SNI goes out (ztunnel neither sends nor needs it); identity is checked on the SPIFFE id instead.
        TargetHost = string.Empty,
        ClientCertificateContext = Context(source),
        EnabledSslProtocols = SslProtocols.Tls13,
        ApplicationProtocols = H2,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = SvidVerifier.CreateValidator(() => source.Bundle, destination.TrustDomain, id => id == destination),
    };

    /// <summary>Server side: a client certificate is required; any identity of our trust domain is accepted.</summary>
    public static SslServerAuthenticationOptions Server(WorkloadCertificate local) => new()
    {
        ServerCertificateContext = Context(local),
        ClientCertificateRequired = true,
        EnabledSslProtocols = SslProtocols.Tls13,
        ApplicationProtocols = H2,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = SvidVerifier.CreateValidator(() => local.Bundle, local.Id.TrustDomain, null),
    };

    /// <summary>After a handshake: h2 negotiated and the (already verified) peer's SPIFFE id.</summary>
    public static SpiffeId PeerIdentity(SslStream tls)
    {
        if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
            throw new AuthenticationException("The peer did not negotiate ALPN h2.");
        if (tls.RemoteCertificate is not X509Certificate2 certificate ||
            !SpiffeCertificate.TryGetSpiffeId(certificate, out var id, out var error))
            throw new AuthenticationException("The peer's certificate carries no SPIFFE id.");
        _ = error;
        return id;
    }
}
