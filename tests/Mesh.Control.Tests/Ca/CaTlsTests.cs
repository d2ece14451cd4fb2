using Mesh.Protocol.Identity;

namespace Mesh.Control.Tests.Ca;

/// <summary>CA-issued SVIDs in a real mutual TLS 1.3 handshake, checked by the mesh's validator.</summary>
public sealed class CaTlsTests : IDisposable
{
    private static readonly SpiffeId Server = new("cluster.local", "bookinfo", "reviews");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Mutual_auth_succeeds_and_a_foreign_root_client_is_refused()
    {
        using var ca = CaTest.Generated(_dir.File("ours"));
        using var foreignCa = CaTest.Generated(_dir.File("foreign"));
        var (serverKey, serverCsr) = CsrBuilder.Create(Server);
        var (clientKey, clientCsr) = CsrBuilder.Create(CaTest.Sleep);
        var (foreignKey, foreignCsr) = CsrBuilder.Create(CaTest.Sleep);
        using var _ = serverKey;
        using var __ = clientKey;
        using var ___ = foreignKey;
        var server = ca.Issue(serverCsr, Server).CreateCertificateContext(serverKey);
        var validator = SvidVerifier.CreateValidator(() => ca.Bundle, ca.TrustDomain, authorize: null);

        var ok = await TlsLoopback.RunAsync(server, ca.Issue(clientCsr, CaTest.Sleep).CreateCertificateContext(clientKey), validator, validator);
        Assert.True(ok.Succeeded, $"{ok.ServerError}\n{ok.ClientError}");
        Assert.Equal(CaTest.Sleep, ok.ServerSawClient);
        Assert.Equal(Server, ok.ClientSawServer);

        var refused = await TlsLoopback.RunAsync(server, foreignCa.Issue(foreignCsr, CaTest.Sleep).CreateCertificateContext(foreignKey), validator, validator);
        Assert.NotNull(refused.ServerError);
        Assert.NotNull(refused.ClientError);
    }

    [Fact]
    public async Task Intermediate_is_sent_by_both_peers()
    {
        var root = OpenSsl.Root(_dir);
        var intermediate = OpenSsl.Intermediate(_dir, root);
        using var ca = Mesh.Control.Ca.CertificateAuthority.LoadOrCreate(
            new Mesh.Control.Ca.CaOptions { CertPath = intermediate.Cert, KeyPath = intermediate.Key, ChainPath = root.Cert },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var (serverKey, serverCsr) = CsrBuilder.Create(Server);
        var (clientKey, clientCsr) = CsrBuilder.Create(CaTest.Sleep);
        using var _ = serverKey;
        using var __ = clientKey;
        // The bundle holds only the root: the handshake works only if the intermediate travels with each leaf.
        var validator = SvidVerifier.CreateValidator(() => ca.Bundle, ca.TrustDomain, authorize: null);

        var outcome = await TlsLoopback.RunAsync(
            ca.Issue(serverCsr, Server).CreateCertificateContext(serverKey),
            ca.Issue(clientCsr, CaTest.Sleep).CreateCertificateContext(clientKey), validator, validator);

        Assert.True(outcome.Succeeded, $"{outcome.ServerError}\n{outcome.ClientError}");
        Assert.Equal(CaTest.Sleep, outcome.ServerSawClient);
    }
}
