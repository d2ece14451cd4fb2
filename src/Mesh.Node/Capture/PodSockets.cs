using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Client;

namespace Mesh.Node.Capture;

/// <summary>
/// Where every connection the ztunnel makes on behalf of a pod is born: inside that pod's network namespace, with the
/// ztunnel mark (0x539) so the pod's own capture rules let it through. Keyed by pod IP; captured pods register their
/// netns socket factory while they are served. Also the HBONE client pool's dialer (the peer's 15008 from the source
/// pod, so the peer sees the pod's IP). Read from any thread.
/// </summary>
public sealed class PodSockets : IHboneDialer
{
    private readonly ConcurrentDictionary<IPAddress, NetnsSocketFactory> _pods = new();

    public void Register(IPAddress podIp, NetnsSocketFactory sockets) => _pods[podIp] = sockets;

    /// <summary>Removes the entry only if it is still <paramref name="sockets"/> (a new pod may already reuse the IP).</summary>
    public void Unregister(IPAddress podIp, NetnsSocketFactory sockets) =>
        _pods.TryRemove(new KeyValuePair<IPAddress, NetnsSocketFactory>(podIp, sockets));

    public bool TryGet(IPAddress podIp, out NetnsSocketFactory sockets) => _pods.TryGetValue(podIp, out sockets!);

    /// <summary>
    /// A TCP connection to <paramref name="target"/> from the pod at <paramref name="pod"/> (its netns, ztunnel mark);
    /// from the ztunnel's own netns when no captured pod has that address (SOCKS5 clients in local mode). With
    /// <paramref name="asClient"/>, the socket is bound to that address with IP_TRANSPARENT first, so the app sees the
    /// original client's IP (inbound, as Istio does).
    /// </summary>
    public async Task<Socket> ConnectAsync(IPAddress pod, IPEndPoint target, CancellationToken ct, IPAddress? asClient = null)
    {
        var socket = TryGet(pod, out var sockets)
            ? await sockets.CreateTcpAsync(target.AddressFamily, s => SocketOptionsEx.SetMark(s)).ConfigureAwait(false)
            : new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            if (asClient is not null)
            {
                SocketOptionsEx.SetTransparent(socket);
                socket.Bind(new IPEndPoint(asClient, 0));
            }
            await socket.ConnectAsync(target, ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The HBONE pool's dial: the peer's 15008 from the source pod.</summary>
    public async ValueTask<Socket> DialAsync(HboneRequest request, CancellationToken cancellationToken) =>
        await ConnectAsync(request.SourceAddress, request.HboneEndpoint, cancellationToken).ConfigureAwait(false);
}
