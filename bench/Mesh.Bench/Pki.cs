using System.Security.Cryptography;
using Mesh.Control.Ca;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Bench;

/// <summary>The same certificates for every TLS scenario: a mesh CA and two SVIDs (PEM files, as stunnel/haproxy want).</summary>
internal sealed record Pki(string Dir)
{
    public string Ca => Path.Combine(Dir, "ca.crt");
    public string Cert(string who) => Path.Combine(Dir, who + ".crt");
    public string Key(string who) => Path.Combine(Dir, who + ".key");
    public string Combined(string who) => Path.Combine(Dir, who + ".pem");

    public static Pki Create(string dir)
    {
        var pki = new Pki(dir);
        using var ca = CertificateAuthority.LoadOrCreate(new CaOptions { StateDir = Path.Combine(dir, "ca") }, NullLogger.Instance);
        File.WriteAllText(pki.Ca, ca.Bundle.ToPem());
        foreach (var who in new[] { "a", "b" })
        {
            var (key, csr) = CsrBuilder.Create(new SpiffeId("cluster.local", "bench", who));
            using var _ = key;
            var svid = ca.Issue(csr, new SpiffeId("cluster.local", "bench", who));
            var certPem = PemEncoding.WriteString("CERTIFICATE", svid.CertificateDer) + "\n";
            var keyPem = key.ExportPkcs8PrivateKeyPem() + "\n";
            File.WriteAllText(pki.Cert(who), certPem);
            File.WriteAllText(pki.Key(who), keyPem);
            File.WriteAllText(pki.Combined(who), certPem + keyPem);
        }
        return pki;
    }
}
