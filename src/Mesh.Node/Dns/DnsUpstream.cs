using System.Net;
using System.Net.Sockets;

namespace Mesh.Node.Dns;

/// <summary>
/// Sends a query unchanged to one of the host's resolvers, from the ztunnel's own netns (which can reach them even
/// when they are on loopback), over the transport the client used. Returns <c>null</c> when no answer arrives.
/// </summary>
public sealed class DnsUpstream(IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout)
{
    private int _next;

    private IPEndPoint? Next() =>
        upstreams.Count == 0 ? null : upstreams[(int)((uint)Interlocked.Increment(ref _next) % (uint)upstreams.Count)];

    public async Task<byte[]?> ExchangeUdpAsync(byte[] query, CancellationToken ct)
    {
        if (Next() is not { } upstream) return null;
        using var socket = new Socket(upstream.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            // Connected: the kernel drops datagrams from anyone but the upstream.
            await socket.ConnectAsync(upstream, deadline.Token);
            await socket.SendAsync(query, deadline.Token);
            var answer = new byte[65535];
            while (true)
            {
                var got = await socket.ReceiveAsync(answer, deadline.Token);
                // A late answer to an earlier query on a reused port would carry another ID: keep waiting.
                if (got >= 2 && answer[0] == query[0] && answer[1] == query[1]) return answer[..got];
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return null;
        }
    }

    /// <summary>One connection per forwarded query: TCP DNS is rare (truncation retries) so reuse is not worth it.</summary>
    public async Task<byte[]?> ExchangeTcpAsync(byte[] query, CancellationToken ct)
    {
        if (Next() is not { } upstream) return null;
        using var socket = new Socket(upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(upstream, deadline.Token);
            await DnsTcpFraming.WriteAsync(socket, query, deadline.Token);
            return await DnsTcpFraming.ReadAsync(socket, deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or InvalidDataException)
        {
            return null;
        }
    }
}
