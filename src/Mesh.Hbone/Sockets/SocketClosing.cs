using System.Net.Sockets;

namespace Mesh.Hbone.Sockets;

/// <summary>Closing relayed sockets: gracefully, or with RST so the peer cannot take a cut for a clean end.</summary>
public static class SocketClosing
{
    public static void Close(Socket socket, bool abortive)
    {
        if (abortive)
        {
            try { socket.LingerState = new LingerOption(true, 0); } // close() then sends RST
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { /* already dead; closing is all that is left */ }
        }
        socket.Dispose();
    }

    /// <summary>Resets <paramref name="socket"/> (RST); safe on a socket its relay already closed.</summary>
    public static void Reset(Socket socket) => Close(socket, abortive: true);
}
