using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Protocol.Identity;

namespace Mesh.Testing;

/// <summary>
/// A real mutual TLS 1.3 handshake between two SslStreams on loopback, followed by one byte each way: under TLS 1.3
/// a client certificate the server rejects only surfaces on the client at its first read.
/// </summary>
public static class TlsLoopback
{
    public sealed record Outcome(Exception? ServerError, Exception? ClientError, SpiffeId? ServerSawClient, SpiffeId? ClientSawServer)
    {
        public bool Succeeded => ServerError is null && ClientError is null;
    }

    public static async Task<Outcome> RunAsync(
        SslStreamCertificateContext serverCert, SslStreamCertificateContext clientCert,
        RemoteCertificateValidationCallback serverValidator, RemoteCertificateValidationCallback clientValidator)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var server = Task.Run(async () =>
        {
            using var tcp = await listener.AcceptTcpClientAsync();
            await using var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = serverCert,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = serverValidator,
            });
            var one = new byte[1];
            await ssl.ReadExactlyAsync(one);
            await ssl.WriteAsync(one);
            return PeerId(ssl);
        });
        var client = Task.Run(async () =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            await using var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "mesh.invalid", // HBONE has no meaningful host name; the validator ignores it
                ClientCertificateContext = clientCert,
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = clientValidator,
            });
            await ssl.WriteAsync(new byte[] { 42 });
            var one = new byte[1];
            await ssl.ReadExactlyAsync(one);
            return PeerId(ssl);
        });

        var (serverSaw, serverError) = await Capture(server);
        var (clientSaw, clientError) = await Capture(client);
        return new Outcome(serverError, clientError, serverSaw, clientSaw);
    }

    private static SpiffeId? PeerId(SslStream ssl) =>
        ssl.RemoteCertificate is X509Certificate2 c && SpiffeCertificate.TryGetSpiffeId(c, out var id, out _) ? id : null;

    private static async Task<(SpiffeId?, Exception?)> Capture(Task<SpiffeId?> task)
    {
        try { return (await task.WaitAsync(TimeSpan.FromSeconds(20)), null); }
        catch (Exception e) { return (null, e); }
    }
}
