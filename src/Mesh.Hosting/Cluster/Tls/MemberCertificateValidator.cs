using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Mesh.Hosting.Cluster.Tls;

/// <summary>
/// Decides whether the other end of an Akka remoting connection is a mesh member. Plugged into Akka's DotNetty
/// transport as its <see cref="CertificateValidationCallback"/>, which Akka calls on both sides of every handshake
/// (the server requires a client certificate because mutual authentication is on).
/// </summary>
/// <remarks>
/// SslStream's own verdict (<see cref="SslPolicyErrors"/>) is deliberately ignored: it was reached against the
/// system trust store, which does not know our private member CA (chain errors are expected), and against the
/// dialled IP (name mismatch is expected; members are named by SAN, not by address). The chain is rebuilt here
/// with the member CA bundle as the only trust anchor.
/// </remarks>
public sealed class MemberCertificateValidator(X509Certificate2Collection trustBundle, string peerIdPrefix)
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    public bool Validate(X509Certificate2? certificate, X509Chain? presented, string peer, SslPolicyErrors errors, ILoggingAdapter log)
    {
        var refusal = (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 ? "no certificate presented" : Check(certificate, presented);
        if (refusal is null) return true;
        log.Warning("Member TLS: refused cluster peer {0}: {1} (certificate: {2})", peer, refusal, certificate?.Subject ?? "none");
        return false;
    }

    /// <summary>Null when <paramref name="certificate"/> is a valid member certificate; otherwise why not.</summary>
    public string? Check(X509Certificate2? certificate, X509Chain? presented = null)
    {
        if (certificate is null) return "no certificate presented";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustBundle);
        // The member CA publishes no CRL/OCSP; short-lived certificates and CA rotation stand in for revocation.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        if (presented is not null)
        {
            // Intermediates the peer sent in its handshake; they are only path candidates, never anchors.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements.Skip(1)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        if (!chain.Build(certificate))
        {
            var status = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct();
            return $"not issued by the mesh member CA ({string.Join(", ", status)})";
        }

        // Every member dials and accepts, so the certificate must be good for both ends of TLS.
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>())
            .Select(o => o.Value).ToHashSet();
        if (!usages.Contains(ServerAuth) || !usages.Contains(ClientAuth))
            return "certificate lacks the serverAuth and clientAuth extended key usages";

        var ids = SubjectAltNames.Uris(certificate);
        if (!ids.Any(id => id.StartsWith(peerIdPrefix, StringComparison.Ordinal)))
            return $"no URI SAN starting with {peerIdPrefix} (has: {(ids.Count == 0 ? "none" : string.Join(", ", ids))})";
        return null;
    }
}
