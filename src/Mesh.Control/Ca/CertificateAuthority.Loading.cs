using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Mesh.Protocol.Identity;

namespace Mesh.Control.Ca;

public sealed partial class CertificateAuthority
{
    /// <summary>Loads the configured CA (see <see cref="CaOptions"/> for the precedence) or generates and persists a root.</summary>
    /// <exception cref="CaException">The configuration or the files are unusable; the message says which and why.</exception>
    public static CertificateAuthority LoadOrCreate(CaOptions options, ILogger logger, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        if (!SpiffeId.TryParse($"{SpiffeId.Scheme}{options.TrustDomain}/ns/a/sa/b", out _, out var tdError))
            throw new CaException($"CA trust domain is invalid: {tdError}");
        if (options.WorkloadTtl <= TimeSpan.Zero || options.RootTtl <= TimeSpan.Zero || options.Backdate < TimeSpan.Zero)
            throw new CaException("CA WorkloadTtl and RootTtl must be positive and Backdate must not be negative");

        var ca = options.HasUserIntermediate ? LoadIntermediate(options, clock)
            : options.HasUserRoot ? LoadRoot(Required(options.RootCertPath, "RootCertPath"), Required(options.RootKeyPath, "RootKeyPath"), "user-supplied root", options, clock)
            : LoadGenerated(options, logger, clock);
        try
        {
            // Root rotation: during the overlap the bundle carries the other root(s) too, so peers holding SVIDs from
            // either root keep verifying each other.
            if (options.ExtraTrustRootsPath is { } extra)
            {
                if (!File.Exists(extra)) throw new CaException($"ExtraTrustRootsPath '{extra}' does not exist");
                try { ca.Bundle = ca.Bundle.Merge(TrustBundle.FromPem(File.ReadAllText(extra))); }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    throw new CaException($"ExtraTrustRootsPath '{extra}': {e.Message}");
                }
            }
            ca.SelfCheck();
        }
        catch
        {
            ca.Dispose();
            throw;
        }
        logger.LogInformation("CA for trust domain {TrustDomain} signs with {Subject} (SHA-256 {Thumbprint}); {Chain} intermediate(s), {Roots} root(s) in the bundle",
            options.TrustDomain, ca._signer.Subject, ca._signer.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256),
            ca._chainDer.Count, ca.Bundle.Roots.Count);
        return ca;
    }

    private static CertificateAuthority LoadGenerated(CaOptions options, ILogger logger, TimeProvider time)
    {
        var dir = Required(options.StateDir, "StateDir (or a user-supplied root or intermediate)");
        var (certPath, keyPath) = RootStore.LoadOrCreate(dir, options, logger, time);
        return LoadRoot(certPath, keyPath, "CA root", options, time);
    }

    private static CertificateAuthority LoadRoot(string certPath, string keyPath, string what, CaOptions options, TimeProvider time)
    {
        var signer = CaFiles.LoadSigner(certPath, keyPath, what);
        try
        {
            if (CaFiles.SigningError(signer, time.GetUtcNow()) is { } error) throw new CaException($"{what} '{certPath}': {error}");
            if (!CaFiles.IsSelfIssued(signer))
                throw new CaException($"{what} '{certPath}' is not self-signed; configure it as an intermediate (CertPath/KeyPath/ChainPath) instead");
            return new CertificateAuthority(signer, [], TrustBundle.FromCertificates([signer]), options, time);
        }
        catch
        {
            signer.Dispose();
            throw;
        }
    }

    private static CertificateAuthority LoadIntermediate(CaOptions options, TimeProvider time)
    {
        var certPath = Required(options.CertPath, "CertPath");
        var signer = CaFiles.LoadSigner(certPath, Required(options.KeyPath, "KeyPath"), "intermediate CA");
        var above = new List<X509Certificate2>();
        try
        {
            if (options.ChainPath is { } chainPath) above.AddRange(CaFiles.LoadCertificates(chainPath, "CA chain"));
            if (options.RootCertPath is { } rootPath) above.AddRange(CaFiles.LoadCertificates(rootPath, "root certificate"));
            var roots = above.Where(CaFiles.IsSelfIssued).ToList();
            if (roots.Count == 0)
                throw new CaException("no self-signed root found for the intermediate CA: ChainPath must end with the root, or set RootCertPath");

            var now = time.GetUtcNow();
            using var chain = new X509Chain();
            chain.ChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
                VerificationTime = now.UtcDateTime,
                VerificationTimeIgnored = false,
                DisableCertificateDownloads = true,
            };
            chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
            chain.ChainPolicy.ExtraStore.AddRange(above.Where(c => !CaFiles.IsSelfIssued(c)).ToArray());
            if (!chain.Build(signer))
            {
                var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
                throw new CaException($"intermediate CA '{certPath}' does not chain to the configured root: {status}");
            }

            var elements = chain.ChainElements.Select(e => e.Certificate).ToList();
            try
            {
                foreach (var ca in elements)
                {
                    if (CaFiles.SigningError(ca, now) is { } error) throw new CaException($"CA chain of '{certPath}': {error}");
                }
                var chainDer = elements.Take(elements.Count - 1).Select(c => c.RawData).ToList(); // intermediates, root excluded
                return new CertificateAuthority(signer, chainDer, TrustBundle.FromCertificates([elements[^1]]), options, time);
            }
            finally
            {
                foreach (var c in elements) c.Dispose();
            }
        }
        catch
        {
            signer.Dispose();
            throw;
        }
        finally
        {
            foreach (var c in above) c.Dispose();
        }
    }

    /// <summary>
    /// Issues and verifies one certificate at startup, so a CA whose certificates no verifier would accept (path
    /// length constraints, name constraints, key-type surprises) fails now with a reason rather than at every handshake.
    /// </summary>
    private void SelfCheck()
    {
        var id = new SpiffeId(TrustDomain, "mesh-system", "ca-self-check");
        var (key, csr) = CsrBuilder.Create(id);
        using (key)
        {
            var svid = Issue(csr, id);
            using var leaf = X509CertificateLoader.LoadCertificate(svid.CertificateDer);
            var chain = svid.ChainDer.Select(X509CertificateLoader.LoadCertificate).ToList();
            try
            {
                var result = SvidVerifier.Verify(leaf, chain, Bundle, TrustDomain, _time.GetUtcNow());
                if (!result.Valid) throw new CaException($"certificates issued by this CA would be rejected by verifiers: {result.Error}");
            }
            finally
            {
                foreach (var c in chain) c.Dispose();
            }
        }
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new CaException($"CA option {name} is required for this configuration") : value;
}
