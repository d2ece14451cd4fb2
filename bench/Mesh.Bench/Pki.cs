using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Control.Ca;
using Mesh.Hbone.Tls;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Bench;

/// <summary>
/// The same certificates for every TLS mode: a mesh CA (our <see cref="CertificateAuthority"/>) and two SVIDs issued by
/// it — "a" (spiffe://cluster.local/ns/bench/sa/a, the client-side hop) and "b" (…/sa/b, the server-side hop) — as PEM
/// files, as stunnel/haproxy want them; our hops load them back with <see cref="LoadSvid"/>.
/// </summary>
internal sealed record Pki(string Dir)
{
    public const string TrustDomain = "cluster.local";

    public string Ca => Path.Combine(Dir, "ca.crt");
    public string Cert(string who) => Path.Combine(Dir, who + ".crt");
    public string Key(string who) => Path.Combine(Dir, who + ".key");
    public string Combined(string who) => Path.Combine(Dir, who + ".pem");

    public static SpiffeId Id(string who) => new(TrustDomain, "bench", who);

    public static Pki Create(string dir)
    {
        var pki = new Pki(dir);
        using var ca = CertificateAuthority.LoadOrCreate(new CaOptions { StateDir = Path.Combine(dir, "ca") }, NullLogger.Instance);
        File.WriteAllText(pki.Ca, ca.Bundle.ToPem());
        foreach (var who in new[] { "a", "b" })
        {
            var (key, csr) = CsrBuilder.Create(Id(who));
            using var _ = key;
            var svid = ca.Issue(csr, Id(who));
            var certPem = PemEncoding.WriteString("CERTIFICATE", svid.CertificateDer) + "\n";
            var keyPem = key.ExportPkcs8PrivateKeyPem() + "\n";
            File.WriteAllText(pki.Cert(who), certPem);
            File.WriteAllText(pki.Key(who), keyPem);
            File.WriteAllText(pki.Combined(who), certPem + keyPem);
        }
        return pki;
    }

    /// <summary>The SVID of <paramref name="who"/> as the node holds one (leaf with key, no intermediates, the CA bundle).</summary>
    public WorkloadCertificate LoadSvid(string who)
    {
        using var pem = X509Certificate2.CreateFromPemFile(Cert(who), Key(who));
        // Through PKCS#12 so SslStream gets a key it can use on every platform (PEM keys are ephemeral).
        var leaf = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        return new WorkloadCertificate(Id(who), leaf, [], TrustBundle.FromPem(File.ReadAllText(Ca)));
    }
}
