using System.Globalization;
using System.Net;
using Mesh.Hbone.Http2;
using Mesh.Hbone.Relay;
using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Server;

/// <summary>
/// A CONNECT that arrived on an HBONE listener, after the TLS handshake proved <see cref="Peer"/> and the request was
/// checked to be a classic CONNECT to a literal <c>ip:port</c> (anything else was answered 400 by the server). The
/// handler answers it once: <see cref="RejectAsync"/> with a status, or <see cref="AcceptAsync"/> (200) to get the
/// tunnel as a <see cref="RelayEnd"/>.
/// </summary>
public sealed class HboneInboundStream
{
    private static readonly HeaderField[] Ok = [new(":status", "200")];
    private readonly Http2Stream _stream;
    private int _answered;

    internal HboneInboundStream(Http2Stream stream, SpiffeId peer, IPEndPoint target, IPEndPoint remote, IPEndPoint local,
        IPEndPoint? forwardedFor, IReadOnlyList<HeaderField> headers)
    {
        _stream = stream;
        Peer = peer;
        Target = target;
        Remote = remote;
        Local = local;
        ForwardedFor = forwardedFor;
        Headers = headers;
    }

    /// <summary>The client's SPIFFE identity (from its verified SVID).</summary>
    public SpiffeId Peer { get; }

    /// <summary>The parsed <c>:authority</c> the client asks for.</summary>
    public IPEndPoint Target { get; }

    /// <summary>The TCP peer of the HBONE connection (for a ztunnel client: the source pod's address).</summary>
    public IPEndPoint Remote { get; }

    /// <summary>The local end of the HBONE connection (e.g. podIP:15008).</summary>
    public IPEndPoint Local { get; }

    /// <summary>The client address from <c>forwarded: for=</c>, if present and parseable.</summary>
    public IPEndPoint? ForwardedFor { get; }

    /// <summary>All request headers, pseudo-headers included (baggage, traceparent).</summary>
    public IReadOnlyList<HeaderField> Headers { get; }

    /// <summary>Fires when the client resets the stream or the connection fails.</summary>
    public CancellationToken Aborted => _stream.Aborted;

    /// <summary>Whether the handler has answered (accepted or rejected).</summary>
    public bool Answered => Volatile.Read(ref _answered) != 0;

    /// <summary>
    /// Answers <paramref name="status"/> with END_STREAM (400 bad request, 401 denied, 503 upstream failed); whatever the
    /// client still sends is dropped. Never throws when the client is already gone.
    /// </summary>
    public async Task RejectAsync(int status)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 300);
        Answer();
        _stream.DiscardInbound();
        try
        {
            await _stream.SendHeadersAsync([new(":status", status.ToString(CultureInfo.InvariantCulture))], endStream: true)
                .ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Reset by the client or connection gone: nobody is waiting for the answer.
        }
    }

    /// <summary>
    /// Answers 200 (flushed at once: clients wait for it before sending) and returns the tunnel for
    /// <see cref="RelayPump"/>. Throws <see cref="IOException"/> if the client went away first.
    /// </summary>
    public async Task<RelayEnd> AcceptAsync()
    {
        Answer();
        await _stream.SendHeadersAsync(Ok, endStream: false).ConfigureAwait(false);
        return RelayEnd.Of(_stream);
    }

    /// <summary>Resets the stream (used by the server when a handler failed or never answered).</summary>
    internal void Abandon() => _stream.Abandon();

    private void Answer()
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
            throw new InvalidOperationException("An HBONE stream is answered once.");
    }
}
