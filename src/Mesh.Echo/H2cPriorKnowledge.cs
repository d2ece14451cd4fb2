using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Echo;

/// <summary>
/// Lets one cleartext port serve HTTP/1.1 and h2c with prior knowledge.
/// Kestrel 10 treats a cleartext Http1AndHttp2 endpoint as HTTP/1.1 only (startup warning 64, "HTTP/2 is not enabled"):
/// without ALPN it never looks at the bytes. This connection middleware peeks at the first 24 bytes without consuming
/// them; on the RFC 9113 client preface it presents ALPN "h2", which makes Kestrel pick its HTTP/2 handler.
/// Requires <c>AllowAlternateSchemes</c>, since Kestrel then believes the transport is "https" while clients send :scheme http.
/// </summary>
internal static class H2cPriorKnowledge
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private static readonly byte[] H2 = "h2"u8.ToArray();

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TimeSpan prefaceTimeout) => next => async connection =>
    {
        if (await StartsWithPrefaceAsync(connection, prefaceTimeout).ConfigureAwait(false))
        {
            var negotiated = new NegotiatedH2();
            connection.Features.Set<ITlsConnectionFeature>(negotiated);
            connection.Features.Set<ITlsApplicationProtocolFeature>(negotiated);
        }

        await next(connection).ConfigureAwait(false);
    };

    /// <summary>Reads until the bytes diverge from the preface or all 24 arrived; consumes nothing.</summary>
    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection, TimeSpan timeout)
    {
        var input = connection.Transport.Input;
        // A silent client must not pin the connection here forever; on timeout HTTP/1.1 takes over with its own timeouts.
        using var timer = new CancellationTokenSource(timeout);
        await using var registration = timer.Token.Register(input.CancelPendingRead).ConfigureAwait(false);
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var prefix = (int)Math.Min(buffer.Length, Preface.Length);
            var matches = result.IsCanceled is false && PrefixEquals(buffer.Slice(0, prefix), Preface.AsSpan(0, prefix));
            if (!matches || prefix == Preface.Length || result.IsCompleted)
            {
                // examined = start: the protocol handler's first read sees these bytes again immediately.
                input.AdvanceTo(buffer.Start, buffer.Start);
                return matches && prefix == Preface.Length;
            }

            input.AdvanceTo(buffer.Start, buffer.End); // wait for more bytes
        }
    }

    private static bool PrefixEquals(ReadOnlySequence<byte> sequence, ReadOnlySpan<byte> expected)
    {
        if (sequence.IsSingleSegment)
        {
            return sequence.FirstSpan.SequenceEqual(expected);
        }

        Span<byte> copy = stackalloc byte[expected.Length];
        sequence.CopyTo(copy);
        return copy.SequenceEqual(expected);
    }

    /// <summary>The "negotiation result" Kestrel's protocol selection reads; there is no certificate or real TLS behind it.</summary>
    private sealed class NegotiatedH2 : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public X509Certificate2? ClientCertificate { get; set; }

        public ReadOnlyMemory<byte> ApplicationProtocol => H2;

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
