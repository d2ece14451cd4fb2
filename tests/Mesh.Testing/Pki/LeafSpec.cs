using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Testing;

/// <summary>
/// What a test leaf should look like. The defaults make a valid SVID for <see cref="TestCa.Id"/> with the profile our
/// CA issues (empty subject, critical URI SAN, CA=false, digitalSignature, serverAuth+clientAuth); set a field to
/// null to leave that extension out, or to something wrong to make the variant a verifier must refuse.
/// </summary>
public sealed record LeafSpec
{
    public string Subject { get; init; } = "";
    /// <summary>URI SANs, written as given (so malformed ids can be tested); null: no SAN extension at all.</summary>
    public string[]? Uris { get; init; } = [TestCa.Id.ToString()];
    /// <summary>DNS SANs next to the URIs (member certificates carry the member name); the SAN is then non-critical.</summary>
    public string[]? DnsNames { get; init; }
    public bool? Ca { get; init; } = false; // null: no basicConstraints extension
    public X509KeyUsageFlags? KeyUsage { get; init; } = X509KeyUsageFlags.DigitalSignature; // null: no extension
    public string[]? Ekus { get; init; } = [TestCa.ServerAuth, TestCa.ClientAuth]; // null: no extension
    public DateTimeOffset NotBefore { get; init; } = TestCa.Now.AddHours(-1);
    public DateTimeOffset NotAfter { get; init; } = TestCa.Now.AddDays(1);

    /// <summary>A valid SVID for <paramref name="id"/>.</summary>
    public static LeafSpec For(SpiffeId id) => new() { Uris = [id.ToString()] };

    /// <summary>A certificate shaped like a mesh member's (<c>MemberCa.Issue</c>): CN and DNS SAN = name, the role's SPIFFE id.</summary>
    public static LeafSpec Member(string name, string role) => new()
    {
        Subject = $"CN={name}, O=MeshActors",
        Uris = [MemberIdentity.SpiffeId(role)],
        DnsNames = [name],
    };

    /// <summary>This spec, expired a second ago (valid for the day before).</summary>
    public LeafSpec Expired() => this with { NotBefore = TestCa.Now.AddDays(-1), NotAfter = TestCa.Now.AddSeconds(-1) };

    /// <summary>This spec, valid only from a minute from now.</summary>
    public LeafSpec NotYetValid() => this with { NotBefore = TestCa.Now.AddMinutes(1) };
}
