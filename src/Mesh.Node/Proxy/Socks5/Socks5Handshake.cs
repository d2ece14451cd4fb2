using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// The server side of the RFC 1928 handshake: greeting (only "no authentication"), then one CONNECT request.
/// Reads exactly the bytes the protocol defines (never more), so whatever the client pipelines after its request
/// is left in the socket for the relay. Every failure surfaces as <see cref="Socks5HandshakeException"/> after any
/// reply the protocol allows has been written.
/// </summary>
public static class Socks5Handshake
{
    public const byte Version = 0x05;
    public const byte MethodNoAuth = 0x00;
    public const byte MethodNoAcceptable = 0xFF;
    public const byte CommandConnect = 0x01;
    public const byte CommandBind = 0x02;
    public const byte CommandUdpAssociate = 0x03;
    public const byte AddressIPv4 = 0x01;
    public const byte AddressDomain = 0x03;
    public const byte AddressIPv6 = 0x04;

    /// <summary>How long a client may take to greet and ask (ztunnel-like; idle clients must not hold a slot).</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs greeting and request within <paramref name="deadline"/>. Does not send the final reply: the caller does,
    /// with <see cref="SendReplyAsync"/>, once it knows whether the destination could be reached.
    /// </summary>
    /// <exception cref="Socks5HandshakeException">The client misbehaved, went away, or was too slow.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> fired (the server is stopping).</exception>
    public static async Task<Socks5Request> ReadRequestAsync(Stream stream, TimeSpan deadline, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(deadline);
        try
        {
            await NegotiateMethodAsync(stream, timeout.Token).ConfigureAwait(false);
            return await ReadConnectAsync(stream, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new Socks5HandshakeException($"handshake not completed within {deadline.TotalSeconds:0.###}s", inner: e);
        }
        catch (EndOfStreamException e)
        {
            throw new Socks5HandshakeException("truncated: client closed the connection mid-handshake", inner: e);
        }
        catch (IOException e)
        {
            throw new Socks5HandshakeException($"connection failed mid-handshake: {e.Message}", inner: e);
        }
    }

    /// <summary>Writes a reply: VER REP RSV ATYP BND.ADDR BND.PORT. A null bound address is sent as 0.0.0.0:0.</summary>
    public static async Task SendReplyAsync(Stream stream, Socks5Reply reply, IPEndPoint? bound, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var address = bound?.Address ?? IPAddress.Any;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var frame = new byte[4 + (v4 ? 4 : 16) + 2];
        frame[0] = Version;
        frame[1] = (byte)reply;
        frame[3] = v4 ? AddressIPv4 : AddressIPv6;
        address.TryWriteBytes(frame.AsSpan(4), out _);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(frame.Length - 2), (ushort)(bound?.Port ?? 0));
        await stream.WriteAsync(frame, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task NegotiateMethodAsync(Stream stream, CancellationToken ct)
    {
        // VER NMETHODS METHODS[NMETHODS]
        var head = new byte[2];
        await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        if (head[0] != Version)
            throw new Socks5HandshakeException($"greeting has version 0x{head[0]:x2}, not SOCKS5");
        var methods = new byte[head[1]];
        await stream.ReadExactlyAsync(methods, ct).ConfigureAwait(false);
        if (Array.IndexOf(methods, MethodNoAuth) < 0)
        {
            await stream.WriteAsync(new[] { Version, MethodNoAcceptable }, ct).ConfigureAwait(false);
            var offered = methods.Length == 0 ? "none" : string.Join(",", methods.Select(m => $"0x{m:x2}"));
            throw new Socks5HandshakeException($"no acceptable authentication method (offered {offered})", replySent: true);
        }
        await stream.WriteAsync(new[] { Version, MethodNoAuth }, ct).ConfigureAwait(false);
    }

    private static async Task<Socks5Request> ReadConnectAsync(Stream stream, CancellationToken ct)
    {
        // VER CMD RSV ATYP DST.ADDR DST.PORT
        var head = new byte[4];
        await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        if (head[0] != Version)
            throw new Socks5HandshakeException($"request has version 0x{head[0]:x2}, not SOCKS5");
        if (head[1] != CommandConnect)
            throw await RejectAsync(stream, Socks5Reply.CommandNotSupported, $"command {CommandName(head[1])} not supported", ct).ConfigureAwait(false);
        if (head[2] != 0)
            throw await RejectAsync(stream, Socks5Reply.GeneralFailure, $"reserved byte is 0x{head[2]:x2}, not 0x00", ct).ConfigureAwait(false);

        Socks5Request request;
        switch (head[3])
        {
            case AddressIPv4:
            case AddressIPv6:
            {
                var body = new byte[(head[3] == AddressIPv4 ? 4 : 16) + 2];
                await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
                var address = new IPAddress(body.AsSpan(0, body.Length - 2));
                request = Socks5Request.ForAddress(new IPEndPoint(address, ReadPort(body)));
                break;
            }
            case AddressDomain:
            {
                var length = new byte[1];
                await stream.ReadExactlyAsync(length, ct).ConfigureAwait(false);
                if (length[0] == 0)
                    throw await RejectAsync(stream, Socks5Reply.GeneralFailure, "empty domain name", ct).ConfigureAwait(false);
                var body = new byte[length[0] + 2];
                await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
                var port = ReadPort(body);
                var name = body.AsSpan(0, length[0]);
                if (Hostnames.TryParseAddressLiteral(name, out var literal))
                    request = Socks5Request.ForAddress(new IPEndPoint(literal, port));
                else if (Hostnames.TryNormalize(name, out var hostname))
                    request = Socks5Request.ForHost(hostname, port);
                else
                    throw await RejectAsync(stream, Socks5Reply.GeneralFailure, $"invalid domain name \"{Printable(name)}\"", ct).ConfigureAwait(false);
                break;
            }
            default:
                throw await RejectAsync(stream, Socks5Reply.AddressTypeNotSupported, $"address type 0x{head[3]:x2} not supported", ct).ConfigureAwait(false);
        }
        if (request.Port == 0)
            throw await RejectAsync(stream, Socks5Reply.GeneralFailure, $"destination port 0 ({request})", ct).ConfigureAwait(false);
        return request;
    }

    /// <summary>Sends the error reply and returns the exception for the caller to throw.</summary>
    private static async Task<Socks5HandshakeException> RejectAsync(Stream stream, Socks5Reply reply, string reason, CancellationToken ct)
    {
        await SendReplyAsync(stream, reply, null, ct).ConfigureAwait(false);
        return new Socks5HandshakeException(reason, replySent: true);
    }

    private static int ReadPort(byte[] body) => BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(body.Length - 2));

    private static string CommandName(byte command) => command switch
    {
        CommandBind => "BIND",
        CommandUdpAssociate => "UDP ASSOCIATE",
        _ => $"0x{command:x2}",
    };

    // Logged names come from the network: keep the log line readable and single-line.
    private static string Printable(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(Math.Min(name.Length, 64));
        foreach (var b in name[..Math.Min(name.Length, 64)])
            text.Append(b is >= 0x21 and < 0x7F and not (byte)'"' ? (char)b : '?');
        if (name.Length > 64) text.Append('…');
        return text.ToString();
    }
}
