using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Node.Capture;
using Mesh.Node.Hbone;

namespace Mesh.Node.Workloads;

/// <summary>
/// The netns socket factory of every captured pod, by pod IP, so node-wide components can open a connection from inside
/// a source pod: the HBONE client pool's <c>connect</c> delegate (<see cref="ConnectHboneAsync"/>) dials the peer's
/// 15008 from the source pod's netns with the ztunnel mark, so the peer sees the pod's IP and the pod's own capture
/// rules let the connection out. Written by <see cref="CapturedPod"/>, read from any thread.
/// </summary>
public sealed class PodSocketRegistry
{
    private readonly ConcurrentDictionary<IPAddress, NetnsSocketFactory> _pods = new();

    public void Register(IPAddress podIp, NetnsSocketFactory sockets) => _pods[podIp] = sockets;

    /// <summary>Removes the entry only if it is still <paramref name="sockets"/> (a new pod may already reuse the IP).</summary>
    public void Unregister(IPAddress podIp, NetnsSocketFactory sockets) =>
        _pods.TryRemove(new KeyValuePair<IPAddress, NetnsSocketFactory>(podIp, sockets));

    public bool TryGet(IPAddress podIp, out NetnsSocketFactory sockets) => _pods.TryGetValue(podIp, out sockets!);

    /// <summary>
    /// A TCP connection to <paramref name="target"/> from the pod at <paramref name="source"/> (its netns, ztunnel mark);
    /// from the ztunnel's own netns when no captured pod has that address (SOCKS5 clients in local mode).
    /// </summary>
    public async Task<Socket> ConnectAsync(IPAddress source, IPEndPoint target, CancellationToken ct)
    {
        var socket = TryGet(source, out var sockets)
            ? await sockets.CreateTcpAsync(target.AddressFamily, s => SocketOptionsEx.SetMark(s)).ConfigureAwait(false)
            : new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(target, ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The HBONE client pool's <c>connect</c>: the peer's 15008 from the source pod.</summary>
    public async ValueTask<Socket> ConnectHboneAsync(HboneRequest request, CancellationToken ct) =>
        await ConnectAsync(request.SourceAddress, request.HboneEndpoint, ct).ConfigureAwait(false);
}
