using System.Security.Cryptography.X509Certificates;
using Mesh.Cli.Local.Tls;

namespace Mesh.Integration.Tests.Harness;

/// <summary>The files a member is started with (<c>--Mesh:Tls:*</c>).</summary>
public sealed record MemberTlsFiles(string Certificate, string Key, string TrustBundle)
{
    public IEnumerable<string> Args =>
        [$"--Mesh:Tls:Certificate={Certificate}", $"--Mesh:Tls:Key={Key}", $"--Mesh:Tls:TrustBundle={TrustBundle}"];
}

/// <summary>A member CA in a temporary directory (the production <see cref="MemberCa"/>), issuing certificates to test members.</summary>
public sealed class MemberCertificates : IDisposable
{
    private readonly MemberCa _ca = MemberCa.Create();

    public MemberCertificates()
    {
        Dir = Directory.CreateTempSubdirectory("mesh-tls-").FullName;
        TrustBundle = Path.Combine(Dir, "member-ca.pem");
        _ca.Save(TrustBundle, Path.Combine(Dir, "member-ca.key"));
    }

    public string Dir { get; }
    public string TrustBundle { get; }

    public MemberTlsFiles Issue(string name, string role)
    {
        var files = Files(name, TrustBundle);
        _ca.IssueTo(name, role, files.Certificate, files.Key);
        return files;
    }

    /// <summary>
    /// An outsider: a certificate that looks exactly like a member's (same SANs, usages) but is signed by its own
    /// key. It trusts itself and the real member CA, so its own startup check passes and its handshakes reach the
    /// mesh: the refusal under test is the mesh's, not the outsider's.
    /// </summary>
    public MemberTlsFiles SelfSigned(string name)
    {
        using var certificate = TestCa.SelfSigned(LeafSpec.Member(name, "node"));
        using var key = certificate.GetECDsaPrivateKey()!;
        var bundle = Path.Combine(Dir, name + "-trust.pem");
        File.WriteAllText(bundle, certificate.ExportCertificatePem() + "\n" + File.ReadAllText(TrustBundle));
        var files = Files(name, bundle);
        File.WriteAllText(files.Certificate, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(files.Key, key.ExportPkcs8PrivateKeyPem() + "\n");
        return files;
    }

    /// <summary>An outsider with a proper member certificate from a different member CA (another mesh's, say).</summary>
    public MemberTlsFiles FromForeignCa(string name)
    {
        using var foreign = new MemberCertificates();
        var issued = foreign.Issue(name, "node");
        var files = Files(name, Path.Combine(Dir, name + "-trust.pem"));
        File.Copy(issued.Certificate, files.Certificate);
        File.Copy(issued.Key, files.Key);
        File.WriteAllText(files.TrustBundle, File.ReadAllText(foreign.TrustBundle) + "\n" + File.ReadAllText(TrustBundle));
        return files;
    }

    private MemberTlsFiles Files(string name, string trustBundle) =>
        new(Path.Combine(Dir, name + ".pem"), Path.Combine(Dir, name + ".key"), trustBundle);

    public void Dispose()
    {
        _ca.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
