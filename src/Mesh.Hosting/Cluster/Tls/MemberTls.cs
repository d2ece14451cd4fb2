using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Hosting;

namespace Mesh.Hosting.Cluster.Tls;

/// <summary>This member's certificate and the validator for its peers, loaded once at startup from <see cref="MemberTlsOptions"/>.</summary>
public sealed record MemberTls(X509Certificate2 Certificate, MemberCertificateValidator Validator)
{
    public static MemberTls Load(MemberTlsOptions options)
    {
        var certificatePath = Required(options.Certificate, "Certificate");
        var bundlePath = Required(options.TrustBundle, "TrustBundle");
        var certificate = IsPkcs12(certificatePath)
            ? X509CertificateLoader.LoadPkcs12FromFile(certificatePath, options.Password)
            : X509Certificate2.CreateFromPemFile(certificatePath, Required(options.Key, "Key"));
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"Mesh:Tls: {certificatePath} has no private key.");

        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(bundlePath);
        if (bundle.Count == 0)
            throw new InvalidOperationException($"Mesh:Tls:TrustBundle {bundlePath} holds no PEM certificate.");

        var validator = new MemberCertificateValidator(bundle, options.PeerIdPrefix);
        // Fail at startup, not at every handshake: a member whose own certificate its peers would refuse (expired,
        // other CA, wrong SAN) can never join, and saying so here names the file to fix.
        if (validator.Check(certificate) is { } problem)
            throw new InvalidOperationException($"Mesh:Tls: this member's certificate {certificatePath} would be refused by its peers: {problem}.");
        return new MemberTls(certificate, validator);
    }

    /// <summary>Akka's DotNetty TLS: mutual, our validator instead of the system store, no hostname check (members are dialled by IP).</summary>
    public SslOptions ToAkka() => new()
    {
        X509Certificate = Certificate,
        SuppressValidation = false,
        RequireMutualAuthentication = true,
        ValidateCertificateHostname = false,
        CustomValidator = Validator.Validate,
    };

    private static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    private static string Required(string? value, string key) => !string.IsNullOrWhiteSpace(value)
        ? value
        : throw new InvalidOperationException($"Mesh:Tls is enabled but Mesh:Tls:{key} is not set.");
}
