using Mesh.Testing;
using System.Net.Sockets;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Server;
using Mesh.Protocol.Identity;
using static Mesh.Hbone.Tests.HboneTestBed;

namespace Mesh.Hbone.Tests;

/// <summary>Mutual TLS: who gets refused, and where (the TLS layer, never the handler).</summary>
public sealed class HboneTlsSpec : IAsyncLifetime
{
    private HboneTestBed _bed = null!;

    public Task InitializeAsync()
    {
        _bed = new HboneTestBed(clientOptions: new HboneOptions { ConnectTimeout = TimeSpan.FromSeconds(5) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_client_without_a_certificate_is_refused_in_the_TLS_handshake()
    {
        // Under TLS 1.3 the client learns of the rejection at its first read: our connection start waits for SETTINGS.
        var ex = await Record.ExceptionAsync(() => RawHboneClient.ConnectAsync(_bed.ServerEndPoint, clientCertificate: null));
        Assert.True(ex is IOException or System.Security.Authentication.AuthenticationException, $"got {ex}");
        Assert.Empty(_bed.Handler.Admitted);
        Assert.Equal(0, _bed.Server.ActiveConnections);
    }

    [Fact]
    public async Task A_client_certificate_from_a_foreign_CA_is_refused()
    {
        _bed.ClientCertificate = MeshPki.Instance.Issue(MeshPki.Client, MeshPki.Instance.Foreign);
        // The client trusts its own (foreign) bundle, so only the server's check can fail here.
        _bed.ClientCertificate = _bed.ClientCertificate with { Bundle = _bed.ClientCertificate.Bundle.Merge(MeshPki.Instance.Mesh.Bundle) };
        var ex = await Assert.ThrowsAsync<HboneException>(() => _bed.Pool.OpenAsync(_bed.Request(), default).AsTask());
        Assert.Null(ex.Status);
        Assert.Empty(_bed.Handler.Admitted);
    }

    [Fact]
    public async Task A_client_certificate_of_another_trust_domain_is_refused()
    {
        var other = new SpiffeId("other.local", "default", "sleep");
        var foreign = MeshPki.Instance.Issue(other, MeshPki.Instance.OtherDomain);
        _bed.ClientCertificate = foreign with { Bundle = foreign.Bundle.Merge(MeshPki.Instance.Mesh.Bundle) };
        var ex = await Assert.ThrowsAsync<HboneException>(() => _bed.Pool.OpenAsync(_bed.Request(), default).AsTask());
        Assert.Null(ex.Status);
        Assert.Empty(_bed.Handler.Admitted);
    }

    [Fact]
    public async Task A_server_proving_another_identity_than_the_destination_is_refused_by_the_client()
    {
        var expected = new SpiffeId("cluster.local", "default", "reviews");
        var ex = await Assert.ThrowsAsync<HboneException>(() => _bed.Pool.OpenAsync(_bed.Request(destination: expected), default).AsTask());
        Assert.Contains("TLS", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_bed.Handler.Admitted);
        Assert.Equal(0, _bed.Pool.Snapshot().ConnectionCount);
    }

    [Fact]
    public async Task A_server_certificate_from_a_foreign_CA_is_refused_by_the_client()
    {
        _bed.ServerCertificate = MeshPki.Instance.Issue(MeshPki.Server, MeshPki.Instance.Foreign);
        var ex = await Assert.ThrowsAsync<HboneException>(() => _bed.Pool.OpenAsync(_bed.Request(), default).AsTask());
        Assert.Null(ex.Status);
        Assert.Empty(_bed.Handler.Admitted);
    }

    [Fact]
    public async Task No_SNI_leaves_the_client_and_the_peer_identity_is_exposed()
    {
        // Capture the ClientHello on a plain listener and look for the server_name extension (type 0x0000).
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen(1);
        var request = _bed.Request() with { HboneEndpoint = (System.Net.IPEndPoint)listener.LocalEndPoint! };
        await using var pool = _bed.NewPool(new HboneOptions { ConnectTimeout = TimeSpan.FromSeconds(2) });
        var opening = pool.OpenAsync(request, default).AsTask();
        using var accepted = await listener.AcceptAsync().WaitAsync(Deadline);
        var hello = new byte[16 * 1024];
        var n = await accepted.ReceiveAsync(hello, SocketFlags.None).WaitAsync(Deadline);
        Assert.True(n > 43 && hello[0] == 0x16 && hello[5] == 0x01, "a TLS ClientHello");
        Assert.False(HasServerName(hello.AsSpan(0, n)), "the ClientHello carries SNI");
        accepted.Close();
        await Assert.ThrowsAsync<HboneException>(() => opening);

        var tunnel = await _bed.Pool.OpenAsync(_bed.Request(), default);
        Assert.Equal(MeshPki.Server, tunnel.PeerIdentity);
        await tunnel.DisposeAsync();
    }

    /// <summary>Walks a ClientHello's extensions (RFC 8446 §4.1.2) looking for server_name.</summary>
    private static bool HasServerName(ReadOnlySpan<byte> record)
    {
        var hello = record[9..]; // record header (5) + handshake header (4)
        var pos = 2 + 32; // version, random
        pos += 1 + hello[pos]; // session id
        pos += 2 + (hello[pos] << 8 | hello[pos + 1]); // cipher suites
        pos += 1 + hello[pos]; // compression methods
        var end = pos + 2 + (hello[pos] << 8 | hello[pos + 1]);
        pos += 2;
        while (pos + 4 <= end)
        {
            var type = hello[pos] << 8 | hello[pos + 1];
            var length = hello[pos + 2] << 8 | hello[pos + 3];
            if (type == 0)
                return true;
            pos += 4 + length;
        }
        return false;
    }
}
