using Mesh.Protocol.Identity;

namespace Mesh.Protocol.Tests.Identity;

/// <summary>IssuedSvid.WithPrivateKey and the validator in a real mutual TLS 1.3 handshake.</summary>
public sealed class TlsHandshakeTests
{
    private static readonly SpiffeId Server = new("cluster.local", "default", "server");
    private static readonly SpiffeId Client = new("cluster.local", "default", "client");

    [Fact]
    public async Task Mutual_tls_with_svids_through_an_intermediate()
    {
        using var root = TestCa.Root();
        using var intermediate = root.Intermediate();
        using var serverKey = SvidKeys.Generate();
        using var clientKey = SvidKeys.Generate();
        var validator = SvidVerifier.CreateValidator(() => root.Bundle, "cluster.local", authorize: null);

        var outcome = await TlsLoopback.RunAsync(
            intermediate.Issue(Server, serverKey, intermediate).CreateCertificateContext(serverKey),
            intermediate.Issue(Client, clientKey, intermediate).CreateCertificateContext(clientKey),
            validator, validator);

        Assert.True(outcome.Succeeded, $"{outcome.ServerError}\n{outcome.ClientError}");
        Assert.Equal(Client, outcome.ServerSawClient);
        Assert.Equal(Server, outcome.ClientSawServer);
    }

    [Fact]
    public async Task Client_certificate_from_a_foreign_root_is_refused()
    {
        using var root = TestCa.Root();
        using var foreign = TestCa.Root();
        using var serverKey = SvidKeys.Generate();
        using var clientKey = SvidKeys.Generate();
        var ours = SvidVerifier.CreateValidator(() => root.Bundle, "cluster.local", authorize: null);

        var outcome = await TlsLoopback.RunAsync(
            root.Issue(Server, serverKey).CreateCertificateContext(serverKey),
            foreign.Issue(Client, clientKey).CreateCertificateContext(clientKey),
            ours, ours);

        Assert.NotNull(outcome.ServerError);
        Assert.NotNull(outcome.ClientError);
        Assert.Null(outcome.ServerSawClient);
    }

    [Fact]
    public async Task Authorization_callback_can_refuse_a_verified_peer()
    {
        using var root = TestCa.Root();
        using var serverKey = SvidKeys.Generate();
        using var clientKey = SvidKeys.Generate();
        var ours = SvidVerifier.CreateValidator(() => root.Bundle, "cluster.local", authorize: null);
        var onlyServer = SvidVerifier.CreateValidator(() => root.Bundle, "cluster.local", id => id == Server);

        var outcome = await TlsLoopback.RunAsync(
            root.Issue(Server, serverKey).CreateCertificateContext(serverKey),
            root.Issue(Client, clientKey).CreateCertificateContext(clientKey),
            serverValidator: onlyServer, clientValidator: ours);

        Assert.NotNull(outcome.ServerError);
        Assert.NotNull(outcome.ClientError);
    }

    [Fact]
    public void With_private_key_rejects_a_key_that_does_not_match()
    {
        using var root = TestCa.Root();
        using var key = SvidKeys.Generate();
        using var other = SvidKeys.Generate();
        var svid = root.Issue(Server, key);

        using var cert = svid.WithPrivateKey(key);
        Assert.True(cert.HasPrivateKey);
        Assert.ThrowsAny<Exception>(() => svid.WithPrivateKey(other));
    }
}
