using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Mesh.Hbone.Tls;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Identity;

/// <summary>
/// Keeps this node's SVIDs (with their keys) in a root-only directory so a restarted ztunnel serves HBONE at once
/// instead of waiting to rejoin the cluster and be re-issued (seconds). Off unless <c>Mesh:Node:CertificateCache</c>
/// is set; local mode sets it. Files are 0600, written atomically; unreadable or expired files are skipped.
/// </summary>
public sealed class CertificateCache(string directory, ILogger log)
{
    private sealed record Entry(string Id, string ChainPem, string KeyPem, string BundlePem);

    public string Directory { get; } = directory;

    /// <summary>Certificates still valid now, leaf key attached.</summary>
    public IReadOnlyList<WorkloadCertificate> Load(DateTimeOffset now)
    {
        var loaded = new List<WorkloadCertificate>();
        if (!System.IO.Directory.Exists(Directory)) return loaded;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            try
            {
                var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(file))
                    ?? throw new InvalidDataException("empty file");
                var certificate = Restore(entry);
                if (certificate.NotAfter <= now.AddMinutes(1)) { File.Delete(file); continue; }
                loaded.Add(certificate);
            }
            catch (Exception e) when (e is IOException or JsonException or CryptographicException or InvalidDataException or FormatException)
            {
                log.LogWarning("skipping cached certificate {File}: {Error}", file, e.Message);
            }
        }
        return loaded;
    }

    public void Save(WorkloadCertificate certificate)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var chain = new StringBuilder(certificate.Leaf.ExportCertificatePem()).Append('\n');
            foreach (var c in certificate.Chain) chain.Append(c.ExportCertificatePem()).Append('\n');
            using var key = certificate.Leaf.GetECDsaPrivateKey()
                ?? throw new CryptographicException("the leaf has no ECDSA private key");
            var entry = new Entry(certificate.Id.ToString(), chain.ToString(), key.ExportPkcs8PrivateKeyPem(), certificate.Bundle.ToPem());
            var path = PathFor(certificate.Id);
            var temp = path + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            File.Delete(temp); // UnixCreateMode applies only to a new file
            using (var stream = new FileStream(temp, options))
                JsonSerializer.Serialize(stream, entry);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            log.LogWarning("could not cache the certificate of {Id}: {Error}", certificate.Id, e.Message);
        }
    }

    public void Delete(SpiffeId id) => Delete(PathFor(id));

    /// <summary>Deletes every cached file except those of <paramref name="keep"/>.</summary>
    public void DeleteAllExcept(IReadOnlySet<SpiffeId> keep)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        var kept = keep.Select(PathFor).ToHashSet(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
            if (!kept.Contains(file)) Delete(file);
    }

    private void Delete(string file)
    {
        try { File.Delete(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { log.LogDebug("{Error}", e.Message); }
    }

    private string PathFor(SpiffeId id) =>
        Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id.ToString())))[..32] + ".json");

    private static WorkloadCertificate Restore(Entry entry)
    {
        if (!SpiffeId.TryParse(entry.Id, out var id, out var error)) throw new InvalidDataException(error);
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(entry.ChainPem);
        if (certificates.Count == 0) throw new InvalidDataException("no certificate");
        var key = ECDsa.Create(); // owned by the leaf from here on, as for freshly issued SVIDs
        key.ImportFromPem(entry.KeyPem);
        var leaf = new IssuedSvid(certificates[0].RawData, [], certificates[0].NotBefore.ToUniversalTime(),
            certificates[0].NotAfter.ToUniversalTime(), certificates[0].SerialNumber).WithPrivateKey(key);
        var chain = certificates.Skip(1).ToList();
        var bundle = TrustBundle.FromPem(entry.BundlePem);
        var verdict = SvidVerifier.Verify(leaf, chain, bundle, id.TrustDomain, DateTimeOffset.UtcNow);
        if (!verdict.Valid || verdict.Id != id)
            throw new InvalidDataException($"does not verify: {verdict.Error ?? $"identity {verdict.Id}"}");
        return new WorkloadCertificate(id, leaf, chain, bundle);
    }
}
