using Mesh.Testing;
using System.Buffers;
using System.Net.Sockets;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Server;
using Mesh.Hbone.Http2;
using Mesh.Hbone.Relay;

using static Mesh.Hbone.Tests.HboneTestBed;

namespace Mesh.Hbone.Tests;

/// <summary>Pool life cycle: GOAWAY, refused streams, keepalive, idle release, certificate rotation.</summary>
public sealed class HbonePoolBehaviourSpec
{
    [Fact]
    public async Task After_a_server_GOAWAY_open_streams_finish_and_new_ones_use_a_new_connection()
    {
        await using var bed = new HboneTestBed();
        var (app, relay, tunnel) = await OpenRelayAsync(bed.Pool, bed.Request());
        await using (tunnel)
        using (app)
        {
            await LoopbackPairs.SendAllAsync(app, "before"u8.ToArray());
            Assert.Equal("before"u8.ToArray(), await ReceiveExactlyAsync(app, 6));

            bed.Server.DrainConnections();
            await EventuallyAsync(() => bed.Pool.Snapshot().Keys.Single().Connections.Single().Draining, "the pool saw GOAWAY");

            // A new tunnel goes to a second connection...
            Assert.Equal("new"u8.ToArray(), await EchoThroughAsync(bed.Pool, bed.Request(), "new"u8.ToArray()));
            Assert.Equal(2, bed.Pool.Snapshot().ConnectionsOpened);
            Assert.Equal(2, bed.Server.ConnectionsAccepted);

            // ...while the old stream keeps flowing to its end.
            await LoopbackPairs.SendAllAsync(app, "after"u8.ToArray());
            app.Shutdown(SocketShutdown.Send);
            Assert.Equal("after"u8.ToArray(), await LoopbackPairs.ReadToEndAsync(app));
            Assert.Equal(RelayOutcome.Completed, (await relay.WaitAsync(Deadline)).Outcome);
        }
        // The drained connection closes once its last stream is done.
        await EventuallyAsync(() => bed.Pool.Snapshot().Keys.Single().Connections.Count == 1, "the drained connection closed");
        Assert.False(bed.Pool.Snapshot().Keys.Single().Connections.Single().Draining);
    }

    [Fact]
    public async Task Refused_streams_are_retried_after_a_back_off()
    {
        await using var bed = new HboneTestBed();
        var refused = 0;
        // Our own server role, scripted: refuse the first two streams, then echo.
        await using var server = new ScriptedTlsServer(bed.ServerCertificate, async (tls, ct) =>
        {
            await using var connection = new Http2Connection(tls, new Http2ConnectionOptions { IsServer = true }, onRequest: (stream, headers) =>
            {
                if (Interlocked.Increment(ref refused) <= 2)
                    return false; // REFUSED_STREAM
                _ = Task.Run(async () =>
                {
                    await stream.SendHeadersAsync(new HeaderField[] { new(":status", "200") }, endStream: false);
                    var buffer = new byte[4096];
                    int n;
                    while ((n = await stream.ReadAsync(buffer)) > 0)
                        await stream.WriteAsync(buffer.AsMemory(0, n));
                    await stream.CompleteWritesAsync();
                });
                return true;
            });
            await connection.StartAsync(ct);
            await connection.Completion.WaitAsync(ct);
        });

        var request = bed.Request() with { HboneEndpoint = server.EndPoint };
        Assert.Equal("retried"u8.ToArray(), await EchoThroughAsync(bed.Pool, request, "retried"u8.ToArray()));
        Assert.Equal(3, refused);
        Assert.Equal(1, bed.Pool.Snapshot().ConnectionsOpened);
    }

    [Fact]
    public async Task Keepalive_pings_are_answered_and_the_connection_stays()
    {
        var options = new HboneOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(50), KeepAliveTimeout = TimeSpan.FromSeconds(5) };
        await using var bed = new HboneTestBed(clientOptions: options);
        var tunnel = (HboneTunnel)await bed.Pool.OpenAsync(bed.Request(), default);
        await using (tunnel)
        {
            await EventuallyAsync(() => tunnel.Stream.Connection.KeepAliveAcks >= 3, "three keepalive PINGs answered");
            Assert.Equal(1, bed.Pool.Snapshot().ConnectionCount);
        }
        Assert.Equal("alive"u8.ToArray(), await EchoThroughAsync(bed.Pool, bed.Request(), "alive"u8.ToArray()));
        Assert.Equal(1, bed.Pool.Snapshot().ConnectionsOpened);
    }

    [Fact]
    public async Task A_peer_that_stops_answering_is_detected_by_keepalive()
    {
        await using var bed = new HboneTestBed();
        // Answers the HTTP/2 preface (SETTINGS + ACK), then reads and discards everything: a wedged peer.
        await using var silent = new ScriptedTlsServer(bed.ServerCertificate, async (tls, ct) =>
        {
            var frames = new ArrayBufferWriter<byte>();
            Http2FrameWriter.WriteSettings(frames, []);
            Http2FrameWriter.WriteSettingsAck(frames);
            await tls.WriteAsync(frames.WrittenMemory, ct);
            var sink = new byte[4096];
            while (await tls.ReadAsync(sink, ct) > 0)
            {
            }
        });
        var options = new Http2ConnectionOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromMilliseconds(300) };
        var tls = await RawHboneClient.TlsAsync(silent.EndPoint, bed.ClientCertificate);
        await using var connection = new Http2Connection(tls, options);
        await connection.StartAsync(default).WaitAsync(Deadline);
        var stream = await connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", "10.0.0.1:80")], false, default);

        await connection.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var failure = await Assert.ThrowsAnyAsync<IOException>(() => stream.GetStatusAsync());
        Assert.Contains("keepalive", failure.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_idle_connection_is_released_after_the_idle_timeout()
    {
        await using var bed = new HboneTestBed(clientOptions: new HboneOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        Assert.Equal("x"u8.ToArray(), await EchoThroughAsync(bed.Pool, bed.Request(), "x"u8.ToArray()));
        await EventuallyAsync(() => bed.Pool.Snapshot().ConnectionCount == 0, "the idle connection was released");
        await EventuallyAsync(() => bed.Server.ActiveConnections == 0, "the server saw the close");

        // While a stream is open the connection is not idle, however long it takes.
        var tunnel = await bed.Pool.OpenAsync(bed.Request(), default);
        // Two idle timeouts pass with the stream open: the connection must stay all along.
        await Eventually.Never(() => Task.FromResult(bed.Pool.Snapshot().ConnectionCount), count => count != 1,
            TimeSpan.FromMilliseconds(400), () => "the pool released a connection that still carries a stream", TimeSpan.FromMilliseconds(20));
        await tunnel.DisposeAsync();
        await EventuallyAsync(() => bed.Pool.Snapshot().ConnectionCount == 0, "released after the last stream");
    }

    [Fact]
    public async Task A_rotated_source_certificate_drains_the_old_connection()
    {
        await using var bed = new HboneTestBed();
        var (app, relay, tunnel) = await OpenRelayAsync(bed.Pool, bed.Request());
        await using (tunnel)
        using (app)
        {
            var oldSerial = bed.ClientCertificate.SerialNumber;
            bed.ClientCertificate = MeshPki.Instance.Issue(MeshPki.Client);

            Assert.Equal("rotated"u8.ToArray(), await EchoThroughAsync(bed.Pool, bed.Request(), "rotated"u8.ToArray()));
            var connections = bed.Pool.Snapshot().Keys.Single().Connections;
            Assert.Equal(2, connections.Count);
            Assert.True(connections.Single(c => c.CertificateSerial == oldSerial).Draining);
            Assert.False(connections.Single(c => c.CertificateSerial == bed.ClientCertificate.SerialNumber).Draining);

            // The old stream still works until it ends.
            await LoopbackPairs.SendAllAsync(app, "old"u8.ToArray());
            app.Shutdown(SocketShutdown.Send);
            Assert.Equal("old"u8.ToArray(), await LoopbackPairs.ReadToEndAsync(app));
            Assert.Equal(RelayOutcome.Completed, (await relay.WaitAsync(Deadline)).Outcome);
        }
        await EventuallyAsync(() => bed.Pool.Snapshot().Keys.Single().Connections.All(c => c.CertificateSerial == bed.ClientCertificate.SerialNumber),
            "the old connection closed after its stream");
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        for (var got = 0; got < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None).AsTask().WaitAsync(Deadline);
            Assert.NotEqual(0, n);
            got += n;
        }
        return buffer;
    }
}
