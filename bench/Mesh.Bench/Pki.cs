using System.Security.Cryptography.X509Certificates;
using Mesh.Hbone.Tls;
using Mesh.Protocol.Identity;
using Mesh.Testing;

namespace Mesh.Bench;

/// <summary>
/// The same certificates for every TLS mode: a root (the tests' <see cref="TestCa"/>, with our CA's SVID profile) and
/// two SVIDs issued by it — "a" (spiffe://cluster.local/ns/bench/sa/a, the client-side hop) and "b" (…/sa/b, the
/// server-side hop) — as PEM files, as stunnel/haproxy want them; our hops (other processes) load them back with
/// <see cref="LoadSvid"/>.
/// </summary>
internal sealed record Pki(string Dir)
{
    public const string TrustDomain = TestCa.TrustDomain;

    public string Ca => Path.Combine(Dir, "trust-bundle.pem");
    public string Cert(string who) => Path.Combine(Dir, who + ".crt");
    public string Key(string who) => Path.Combine(Dir, who + ".key");
    public string Combined(string who) => Path.Combine(Dir, who + ".pem");

    public static SpiffeId Id(string who) => new(TrustDomain, "bench", who);

    public static Pki Create(string dir)
    {
        using var ca = TestCa.Root();
        foreach (var who in new[] { "a", "b" })
        {
            using var svid = ca.Svid(Id(who));
            svid.WritePem(dir, who); // who.crt, who.key, who.pem and trust-bundle.pem
        }
        // Builds from before the shared test PKI read the root as ca.crt (mesh-bench --before).
        File.Copy(Path.Combine(dir, "trust-bundle.pem"), Path.Combine(dir, "ca.crt"), overwrite: true);
        return new Pki(dir);
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
