using System.Security.Cryptography.X509Certificates;
using Mesh.Cli.Local.Tls;
using Mesh.Hosting.Cluster.Tls;
using Mesh.Protocol.Identity;

namespace Mesh.Hosting.Tests.Cluster;

public sealed class MemberCertificateValidatorTests : IDisposable
{
    private readonly MemberCa _ca = MemberCa.Create();
    private readonly MemberCertificateValidator _validator;

    public MemberCertificateValidatorTests() =>
        _validator = new MemberCertificateValidator([X509CertificateLoader.LoadCertificate(_ca.Certificate.RawData)], MemberIdentity.DefaultPeerIdPrefix);

    [Fact]
    public void Accepts_a_member_certificate_from_the_member_ca()
    {
        using var member = _ca.Issue("node-a", "node");
        Assert.Null(_validator.Check(member));
        Assert.Contains("spiffe://cluster.local/ns/mesh-system/sa/mesh-node", SubjectAltNames.Uris(member));
    }

    [Fact]
    public void Refuses_a_certificate_from_another_member_ca()
    {
        using var other = MemberCa.Create("another mesh");
        using var member = other.Issue("node-a", "node");
        Assert.StartsWith("not issued by the mesh member CA", _validator.Check(member));
    }

    [Fact]
    public void Refuses_a_self_signed_certificate_that_names_a_member()
    {
        using var selfSigned = TestCa.SelfSigned(LeafSpec.Member("node-a", "node"));
        Assert.StartsWith("not issued by the mesh member CA", _validator.Check(selfSigned));
    }

    [Fact]
    public void Refuses_an_expired_member_certificate()
    {
        using var member = _ca.Issue("node-a", "node", TimeSpan.FromMinutes(-1));
        Assert.Contains("NotTimeValid", _validator.Check(member));
    }

    [Fact]
    public void Refuses_a_ca_signed_certificate_outside_the_member_identities()
    {
        var strict = new MemberCertificateValidator([X509CertificateLoader.LoadCertificate(_ca.Certificate.RawData)],
            "spiffe://cluster.local/ns/mesh-system/sa/mesh-control");
        using var node = _ca.Issue("node-a", "node");
        Assert.StartsWith("no URI SAN starting with", strict.Check(node));
    }

    [Fact]
    public void Refuses_when_no_certificate_is_presented() => Assert.Equal("no certificate presented", _validator.Check(null));

    public void Dispose() => _ca.Dispose();
}
