using System.Net.Sockets;

namespace Mesh.Hbone.Sockets;

/// <summary>Waiting for a socket to have something to read without holding a buffer (idle connections cost no pool memory).</summary>
public static class SocketReadiness
{
    /// <summary>
    /// Completes when <paramref name="socket"/> has bytes queued, reached EOF or failed. A zero-byte receive can complete
    /// on readiness left over from bytes an earlier read already took; then it waits again rather than letting the
    /// caller rent a buffer and park it in a read that may not complete for minutes.
    /// </summary>
    public static async ValueTask WaitReadableAsync(Socket socket, CancellationToken cancellationToken)
    {
        while (true)
        {
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            // Poll(0, read) is true for data, EOF and errors alike; false only for a spurious wake-up.
            if (socket.Available > 0 || socket.Poll(0, SelectMode.SelectRead)) return;
        }
    }
}
