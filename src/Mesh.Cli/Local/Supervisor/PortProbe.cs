using System.Net.Sockets;

namespace Mesh.Cli.Local.Supervisor;

/// <summary>kubelet-style TCP readiness: the port accepts a connection from the host within a short timeout.</summary>
public static class PortProbe
{
    public static async Task<bool> AcceptsAsync(string ip, int port, TimeSpan timeout)
    {
        using var client = new TcpClient();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await client.ConnectAsync(ip, port, cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { return false; }
    }

    /// <summary>Nobody listens on 127.0.0.1:port (what members bind).</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }
}
