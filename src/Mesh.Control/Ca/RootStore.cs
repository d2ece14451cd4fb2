using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Mesh.Protocol.Identity;

namespace Mesh.Control.Ca;

/// <summary>
/// The generated root in a state directory. Creation happens under an exclusive lock on "ca.lock" (flock on Unix,
/// also between handles of one process), so processes starting together converge on one root: the loser of the
/// race finds the winner's files once it gets the lock. The key is written first and the certificate last, each
/// by an atomic rename, so "ca-cert.pem exists" means the pair is complete.
/// </summary>
internal static class RootStore
{
    public const string CertFile = "ca-cert.pem";
    public const string KeyFile = "ca-key.pem";
    public const string LockFile = "ca.lock";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <returns>Paths of a complete certificate/key pair in <paramref name="dir"/>.</returns>
    public static (string CertPath, string KeyPath) LoadOrCreate(string dir, CaOptions options, ILogger logger, TimeProvider time)
    {
        var certPath = Path.Combine(dir, CertFile);
        var keyPath = Path.Combine(dir, KeyFile);
        try
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
            else Directory.CreateDirectory(dir, OwnerOnly | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaException($"cannot create CA state directory '{dir}': {e.Message}", e);
        }

        if (File.Exists(certPath) && File.Exists(keyPath)) return Checked(certPath, keyPath, logger);

        using (AcquireLock(Path.Combine(dir, LockFile), options.LockTimeout))
        {
            var hasCert = File.Exists(certPath);
            var hasKey = File.Exists(keyPath);
            if (hasCert && hasKey) return Checked(certPath, keyPath, logger); // another process won the race
            if (hasCert)
                throw new CaException($"'{certPath}' exists but its key '{keyPath}' is missing; restore the key, or remove both to generate a new root (all workload certificates will change)");
            if (hasKey) logger.LogWarning("Found {Key} without {Cert} (an interrupted creation); generating a new root", keyPath, certPath);

            Generate(certPath, keyPath, options, time);
            logger.LogInformation("Generated a new CA root for trust domain {TrustDomain} in {Dir}", options.TrustDomain, dir);
            return (certPath, keyPath);
        }
    }

    private static void Generate(string certPath, string keyPath, CaOptions options, TimeProvider time)
    {
        using var key = SvidKeys.Generate();
        // Istio's self-signed root has the subject "O=<trust domain>" and no CN.
        var request = new CertificateRequest(new X500DistinguishedName($"O={options.TrustDomain}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        // SPIFFE: signing certificates set keyCertSign (and may set cRLSign), never digitalSignature.
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var cert = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key),
            now - options.Backdate, now + options.RootTtl, Serial.New());

        WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), secret: true);
        WriteAtomically(certPath, cert.ExportCertificatePem(), secret: false);
    }

    private static void WriteAtomically(string path, string content, bool secret)
    {
        var tmp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        // Created with 0600 rather than chmod-ed afterwards: the key is never readable by others, not even briefly.
        if (!OperatingSystem.IsWindows())
            fileOptions.UnixCreateMode = secret ? OwnerOnly : OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        try
        {
            using (var stream = new FileStream(tmp, fileOptions))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            if (secret && !OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, OwnerOnly);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(tmp);
            throw new CaException($"cannot write '{path}': {e.Message}", e);
        }
    }

    private static FileStream AcquireLock(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Random.Shared.Next(20, 60));
            }
            catch (IOException e)
            {
                throw new CaException($"timed out after {timeout} waiting for the CA lock '{path}' (another process is creating the root?)", e);
            }
        }
    }

    private static (string, string) Checked(string certPath, string keyPath, ILogger logger)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(keyPath) & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0)
            logger.LogWarning("CA key {Key} is readable by group or others; it should have mode 0600", keyPath);
        return (certPath, keyPath);
    }
}
