using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Mesh.Hbone.Relay;
using Mesh.Protocol.Identity;

namespace Mesh.Bench.Modes;

/// <summary>
/// Our relays without HBONE framing. "plain": the ztunnel's byte path today (<see cref="RelayPump"/> between two sockets). "tls-out" /
/// "tls-in": plain in, mutual TLS 1.3 out with the SVID of "a" / mutual TLS in with the SVID of "b", plain out — two
/// of them are the SslStream mTLS 2-hop relay, the ceiling for our HBONE stack (same certificates, same verifier).
/// </summary>
internal static class OurRelays
{
    public static Task<Task> PlainAsync(ServeArgs args, CancellationToken ct)
    {
        var listener = ServeMode.Listen(args.Listen);
        return Task.FromResult(ServeMode.AcceptLoopAsync(listener, async (client, token) =>
        {
            Socket upstream;
            try { upstream = await ServeMode.ConnectAsync(args.Next, token); }
            catch (Exception e) when (e is SocketException or OperationCanceledException) { client.Dispose(); return; }
            await RelayPump.RunAsync(RelayEnd.Of(client), RelayEnd.Of(upstream), cancellationToken: token);
        }, ct));
    }

    public static Task<Task> TlsOutAsync(ServeArgs args, CancellationToken ct) => TlsAsync(args, client: true, ct);

    public static Task<Task> TlsInAsync(ServeArgs args, CancellationToken ct) => TlsAsync(args, client: false, ct);

    private static Task<Task> TlsAsync(ServeArgs args, bool client, CancellationToken ct)
    {
        var svid = args.Pki.LoadSvid(client ? "a" : "b");
        var validator = SvidVerifier.CreateValidator(() => svid.Bundle, Pki.TrustDomain, null);
        var listener = ServeMode.Listen(args.Listen);
        return Task.FromResult(ServeMode.AcceptLoopAsync(listener, async (accepted, token) =>
        {
            Socket? upstream = null;
            try
            {
                upstream = await ServeMode.ConnectAsync(args.Next, token);
                if (client)
                {
                    await using var tls = new SslStream(new NetworkStream(upstream, ownsSocket: true), false, validator);
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        ClientCertificates = [svid.Leaf], EnabledSslProtocols = SslProtocols.Tls13,
                        ApplicationProtocols = [SslApplicationProtocol.Http2], RemoteCertificateValidationCallback = validator,
                    }, token);
                    await PumpAsync(new NetworkStream(accepted, ownsSocket: true), tls);
                }
                else
                {
                    await using var tls = new SslStream(new NetworkStream(accepted, ownsSocket: true), false, validator);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = svid.Leaf, ClientCertificateRequired = true, EnabledSslProtocols = SslProtocols.Tls13,
                        ApplicationProtocols = [SslApplicationProtocol.Http2], RemoteCertificateValidationCallback = validator,
                    }, token);
                    await PumpAsync(tls, new NetworkStream(upstream, ownsSocket: true));
                }
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException) { }
            finally
            {
                accepted.Dispose();
                upstream?.Dispose();
            }
        }, ct));
    }

    /// <summary>Both directions with 64 KiB copies; EOF on one side half-closes the other.</summary>
    private static async Task PumpAsync(Stream a, Stream b)
    {
        static async Task CopyAsync(Stream from, Stream to)
        {
            await from.CopyToAsync(to, 64 * 1024);
            switch (to)
            {
                case SslStream ssl: await ssl.ShutdownAsync(); break;
                case NetworkStream ns: ns.Socket.Shutdown(SocketShutdown.Send); break;
            }
        }
        await Task.WhenAll(CopyAsync(a, b), CopyAsync(b, a));
    }
}
