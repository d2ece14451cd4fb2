using Mesh.Cli.Local.Tls;
using Mesh.Hosting.Cluster;
using Mesh.Hosting.Cluster.Tls;

namespace Mesh.Hosting.Tests.Cluster;

public sealed class MemberTlsLoadTests : IDisposable
{
    private readonly TempDir _dir = new("mesh-tls-test-");
    private string PathOf(string file) => _dir.File(file);

    [Fact]
    public void Loads_pem_files_written_by_the_member_ca_and_keys_are_owner_only()
    {
        using var ca = MemberCa.Create();
        ca.Save(PathOf("ca.pem"), PathOf("ca.key"));
        ca.IssueTo("control-0", "control", PathOf("m.pem"), PathOf("m.key"));

        var tls = MemberTls.Load(new MemberTlsOptions { Certificate = PathOf("m.pem"), Key = PathOf("m.key"), TrustBundle = PathOf("ca.pem") });

        Assert.True(tls.Certificate.HasPrivateKey);
        var akka = tls.ToAkka();
        Assert.False(akka.SuppressValidation);
        Assert.True(akka.RequireMutualAuthentication);
        Assert.NotNull(akka.CustomValidator);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("m.key")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("ca.key")));
        }
    }

    [Fact]
    public void Refuses_to_start_with_a_certificate_its_own_trust_bundle_rejects()
    {
        using var ca = MemberCa.Create();
        using var other = MemberCa.Create("other");
        ca.Save(PathOf("ca.pem"), PathOf("ca.key"));
        other.IssueTo("node-a", "node", PathOf("m.pem"), PathOf("m.key"));

        var error = Assert.Throws<InvalidOperationException>(() =>
            MemberTls.Load(new MemberTlsOptions { Certificate = PathOf("m.pem"), Key = PathOf("m.key"), TrustBundle = PathOf("ca.pem") }));
        Assert.Contains("would be refused by its peers", error.Message);
    }

    [Fact]
    public void Enabled_without_files_is_an_error_not_plaintext()
    {
        var error = Assert.Throws<InvalidOperationException>(() => MemberTls.Load(new MemberTlsOptions { Enabled = true }));
        Assert.Contains("Mesh:Tls:Certificate", error.Message);
    }

    [Fact]
    public void Tls_members_seed_with_the_ssl_scheme()
    {
        var plain = new MeshMemberOptions { Seeds = ["127.0.0.1:4053"] };
        var tls = new MeshMemberOptions { Seeds = ["127.0.0.1:4053"], Tls = new MemberTlsOptions { Certificate = "m.pem" } };
        Assert.Equal("akka.tcp://mesh@127.0.0.1:4053", plain.SeedAddresses().Single());
        Assert.Equal("akka.ssl.tcp://mesh@127.0.0.1:4053", tls.SeedAddresses().Single());
    }

    public void Dispose() => _dir.Dispose();
}
