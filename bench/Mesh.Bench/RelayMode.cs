using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Node.Proxy;
using Mesh.Protocol.Identity;

namespace Mesh.Bench;

/// <summary>
/// `mesh-bench relay MODE LISTEN_PORT TARGET_PORT [CERT KEY BUNDLE]`: one hop of our own stack, in its own process
/// so its CPU and memory can be measured apart from the load generator. Modes: plain (our TcpRelay), tls-out
/// (plain in, mutual TLS 1.3 out with an SVID), tls-in (mutual TLS in, plain out).
/// </summary>
internal static class RelayMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mode = args[1];
        var listen = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var target = new IPEndPoint(IPAddress.Loopback, int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        X509Certificate2? cert = null;
        TrustBundle? bundle = null;
        if (mode != "plain")
        {
            using var pem = X509Certificate2.CreateFromPemFile(args[4], args[5]);
            cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            bundle = TrustBundle.FromPem(File.ReadAllText(args[6]));
        }
        var validator = bundle is null ? null : SvidVerifier.CreateValidator(() => bundle, "cluster.local", null);

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, listen));
        listener.Listen(4096);
        Console.WriteLine("ready");
        while (true)
        {
            var client = await listener.AcceptAsync();
            client.NoDelay = true;
            _ = Task.Run(async () =>
            {
                var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await upstream.ConnectAsync(target);
                    switch (mode)
                    {
                        case "plain":
                            await TcpRelay.RunAsync(client, upstream);
                            break;
                        case "tls-out":
                            await using (var tls = new SslStream(new NetworkStream(upstream, true), false, validator))
                            {
                                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                                {
                                    ClientCertificates = [cert!], EnabledSslProtocols = SslProtocols.Tls13,
                                    ApplicationProtocols = [SslApplicationProtocol.Http2], RemoteCertificateValidationCallback = validator,
                                });
                                await Pump(new NetworkStream(client, true), tls);
                            }
                            break;
                        default:
                            await using (var tls = new SslStream(new NetworkStream(client, true), false, validator))
                            {
                                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                                {
                                    ServerCertificate = cert, ClientCertificateRequired = true, EnabledSslProtocols = SslProtocols.Tls13,
                                    ApplicationProtocols = [SslApplicationProtocol.Http2], RemoteCertificateValidationCallback = validator,
                                });
                                await Pump(tls, new NetworkStream(upstream, true));
                            }
                            break;
                    }
                }
                catch (Exception e) when (e is IOException or SocketException or AuthenticationException) { }
                finally
                {
                    client.Dispose();
                    upstream.Dispose();
                }
            });
        }
    }

    /// <summary>Both directions with 64 KiB copies; EOF on one side half-closes the other (the plain SslStream relay).</summary>
    private static async Task Pump(Stream a, Stream b)
    {
        async Task Copy(Stream from, Stream to)
        {
            await from.CopyToAsync(to, 64 * 1024);
            switch (to)
            {
                case SslStream ssl: await ssl.ShutdownAsync(); break;
                case NetworkStream ns: ns.Socket.Shutdown(SocketShutdown.Send); break;
            }
        }
        await Task.WhenAll(Copy(a, b), Copy(b, a));
    }
}
