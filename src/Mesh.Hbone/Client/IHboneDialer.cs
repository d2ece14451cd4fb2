using System.Net.Sockets;

namespace Mesh.Hbone.Client;

/// <summary>
/// Makes the TCP connection under a pooled HBONE connection. The ztunnel dials from the source pod's network namespace
/// (so the peer sees the pod's IP); a process that is not in a pod's place (a test, the bench) dials from its own
/// (<see cref="DirectHboneDialer"/>).
/// </summary>
public interface IHboneDialer
{
    /// <summary>A connected socket to <see cref="HboneRequest.HboneEndpoint"/>.</summary>
    ValueTask<Socket> DialAsync(HboneRequest request, CancellationToken cancellationToken);
}

/// <summary>Dials from the process's own network namespace.</summary>
public sealed class DirectHboneDialer : IHboneDialer
{
    public static readonly DirectHboneDialer Instance = new();

    public async ValueTask<Socket> DialAsync(HboneRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var socket = new Socket(request.HboneEndpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(request.HboneEndpoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
