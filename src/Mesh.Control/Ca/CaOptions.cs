namespace Mesh.Control.Ca;

/// <summary>
/// Where the mesh CA's signing key comes from, bound from "Mesh:Ca". Precedence: a user-supplied intermediate
/// (<see cref="CertPath"/>/<see cref="KeyPath"/>/<see cref="ChainPath"/>, like Istio's plugged-in "cacerts"), else a
/// user-supplied root (<see cref="RootCertPath"/>/<see cref="RootKeyPath"/>), else a root generated once and kept in
/// <see cref="StateDir"/>. All files are unencrypted PEM.
/// </summary>
public sealed class CaOptions
{
    public const string Section = "Mesh:Ca";

    public string TrustDomain { get; set; } = "cluster.local";

    /// <summary>Directory for the generated root (ca-cert.pem, ca-key.pem with mode 0600).</summary>
    public string? StateDir { get; set; }

    public string? RootCertPath { get; set; }
    public string? RootKeyPath { get; set; }

    /// <summary>Intermediate CA certificate that signs workload certificates.</summary>
    public string? CertPath { get; set; }
    public string? KeyPath { get; set; }

    /// <summary>
    /// Certificates above <see cref="CertPath"/> up to and including the self-signed root (the root may instead
    /// come from <see cref="RootCertPath"/>); a copy of the intermediate itself is tolerated, as in Istio's cert-chain.pem.
    /// </summary>
    public string? ChainPath { get; set; }

    /// <summary>
    /// PEM file of further roots to distribute with the bundle (root rotation: the old root during the overlap, or the
    /// new one before switching to it).
    /// </summary>
    public string? ExtraTrustRootsPath { get; set; }

    public TimeSpan WorkloadTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>NotBefore is set this far in the past so peers with a slightly slow clock accept fresh certificates.</summary>
    public TimeSpan Backdate { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan RootTtl { get; set; } = TimeSpan.FromDays(3650);

    /// <summary>How long a starting CA waits for another process that is creating the root in the same StateDir.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal bool HasUserIntermediate => CertPath is not null || KeyPath is not null || ChainPath is not null;
    internal bool HasUserRoot => RootCertPath is not null || RootKeyPath is not null;
}
