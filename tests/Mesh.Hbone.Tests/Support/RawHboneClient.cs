using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Hbone.Http2;
using Mesh.Hbone.Tls;

namespace Mesh.Hbone.Tests;

/// <summary>
/// An HTTP/2 client over TLS that sends whatever headers a test wants (our pool only sends well-formed CONNECTs), with
/// an optional client certificate.
/// </summary>
internal static class RawHboneClient
{
    public static async Task<SslStream> TlsAsync(IPEndPoint server, WorkloadCertificate? clientCertificate)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server).WaitAsync(HboneTestBed.Deadline);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = string.Empty,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, _, _, _) => true, // these tests are about the server's checks
        };
        if (clientCertificate is not null)
            options.ClientCertificates = new X509CertificateCollection { clientCertificate.Leaf };
        await tls.AuthenticateAsClientAsync(options).WaitAsync(HboneTestBed.Deadline);
        return tls;
    }

    public static async Task<Http2Connection> ConnectAsync(IPEndPoint server, WorkloadCertificate? clientCertificate)
    {
        var connection = new Http2Connection(await TlsAsync(server, clientCertificate), new Http2ConnectionOptions());
        await connection.StartAsync(default).WaitAsync(HboneTestBed.Deadline);
        return connection;
    }

    public static Task<Http2Stream> RequestAsync(Http2Connection connection, params HeaderField[] headers) =>
        connection.OpenStreamAsync(headers, reserved: false, default);
}
