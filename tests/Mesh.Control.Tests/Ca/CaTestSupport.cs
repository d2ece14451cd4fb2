using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Mesh.Control.Ca;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Control.Tests.Ca;

/// <summary>A clock that stands still, so validity periods can be asserted exactly.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class CaTest
{
    public static readonly SpiffeId Sleep = new("cluster.local", "default", "sleep");

    public static CertificateAuthority Generated(TempDir dir, TimeProvider? time = null, Action<CaOptions>? configure = null) =>
        Generated(dir.Path, time, configure);

    public static CertificateAuthority Generated(string stateDir, TimeProvider? time = null, Action<CaOptions>? configure = null)
    {
        var options = new CaOptions { StateDir = stateDir };
        configure?.Invoke(options);
        return CertificateAuthority.LoadOrCreate(options, NullLogger.Instance, time);
    }

    public static SvidVerification Verify(CertificateAuthority ca, IssuedSvid svid, DateTimeOffset? now = null)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(svid.CertificateDer);
        var chain = svid.ChainDer.Select(X509CertificateLoader.LoadCertificate).ToList();
        try { return SvidVerifier.Verify(leaf, chain, ca.Bundle, ca.TrustDomain, now ?? DateTimeOffset.UtcNow); }
        finally { foreach (var c in chain) c.Dispose(); }
    }

    public static string Pem(byte[] der) => X509CertificateLoader.LoadCertificate(der).ExportCertificatePem() + "\n";
}

/// <summary>The openssl command line, an implementation independent of .NET's, for cross-checks and for user CAs.</summary>
internal static class OpenSsl
{
    public const string Config = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        O = example.org
        [v3_root]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [v3_root_pathlen0]
        basicConstraints = critical,CA:TRUE,pathlen:0
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [v3_intermediate]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        [v3_not_a_signer]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,digitalSignature
        subjectKeyIdentifier = hash
        """;

    public static string Run(TempDir dir, params string[] args)
    {
        var (exit, output) = TryRun(dir, args);
        Assert.True(exit == 0, $"openssl {string.Join(' ', args)} failed ({exit}): {output}");
        return output;
    }

    public static (int Exit, string Output) TryRun(TempDir dir, params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(30_000), "openssl timed out");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>A root made by openssl (SEC1 "EC PRIVATE KEY"); returns the cert and key paths.</summary>
    public static (string Cert, string Key) Root(TempDir dir, string name = "root", string extensions = "v3_root")
    {
        dir.Write("ca.cnf", Config);
        Run(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", $"{name}.key");
        Run(dir, "req", "-x509", "-new", "-config", "ca.cnf", "-extensions", extensions, "-key", $"{name}.key",
            "-sha256", "-days", "365", "-subj", $"/O=example.org/CN={name}", "-out", $"{name}.pem");
        return (dir.File($"{name}.pem"), dir.File($"{name}.key"));
    }

    /// <summary>An intermediate with an RSA-2048 PKCS#8 key, signed by <paramref name="root"/>.</summary>
    public static (string Cert, string Key) Intermediate(TempDir dir, (string Cert, string Key) root, string name = "intermediate",
        string extensions = "v3_intermediate")
    {
        Run(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", $"{name}.key");
        Run(dir, "req", "-new", "-config", "ca.cnf", "-key", $"{name}.key", "-subj", $"/O=example.org/CN={name}", "-out", $"{name}.csr");
        Run(dir, "x509", "-req", "-in", $"{name}.csr", "-CA", root.Cert, "-CAkey", root.Key, "-CAcreateserial", "-days", "180",
            "-sha256", "-extfile", "ca.cnf", "-extensions", extensions, "-out", $"{name}.pem");
        return (dir.File($"{name}.pem"), dir.File($"{name}.key"));
    }
}
