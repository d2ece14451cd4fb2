using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.Hbone.Tls;

namespace Mesh.Hbone.Tests;

/// <summary>
/// A loopback TLS 1.3 server with the HBONE server's certificate that hands each authenticated stream to a script,
/// for peers that misbehave on purpose (refusing streams, never answering PINGs).
/// </summary>
internal sealed class ScriptedTlsServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ScriptedTlsServer(WorkloadCertificate certificate, Func<SslStream, CancellationToken, Task> script)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptAsync(_stop.Token);
                    _ = Task.Run(async () =>
                    {
                        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                        try
                        {
                            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                            {
                                ServerCertificateContext = SslStreamCertificateContext.Create(certificate.Leaf, null, offline: true),
                                ClientCertificateRequired = true,
                                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                                EnabledSslProtocols = SslProtocols.Tls13,
                                ApplicationProtocols = [SslApplicationProtocol.Http2],
                            }, _stop.Token);
                            await script(tls, _stop.Token);
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException or AuthenticationException or ObjectDisposedException)
                        {
                        }
                    });
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        });
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
    }
}
