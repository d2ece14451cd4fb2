using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Relay;

namespace Mesh.Testing;

/// <summary>Connected TCP socket pairs on 127.0.0.1 for relay tests.</summary>
public static class LoopbackPairs
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>The relay between two sockets (downstream = the side that opened the connection).</summary>
    public static Task<RelayResult> RelaySockets(Socket downstream, Socket upstream, CancellationToken cancellationToken = default) =>
        RelayPump.RunAsync(RelayEnd.Of(downstream), RelayEnd.Of(upstream), cancellationToken: cancellationToken);

    /// <summary>(connecting end, accepted end).</summary>
    public static async Task<(Socket Connector, Socket Accepted)> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var connector = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await connector.ConnectAsync(listener.LocalEndPoint!).WaitAsync(Deadline);
        return (connector, await accept.WaitAsync(Deadline));
    }

    /// <summary>Reads until EOF (or until <paramref name="max"/> bytes).</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, int max = int.MaxValue)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (buffer.Length < max)
        {
            var read = await socket.ReceiveAsync(chunk, SocketFlags.None).WaitAsync(Deadline);
            if (read == 0)
                break;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        for (var sent = 0; sent < data.Length;)
            sent += await socket.SendAsync(data[sent..], SocketFlags.None).AsTask().WaitAsync(Deadline);
    }

    /// <summary>True once the peer has closed: EOF or reset.</summary>
    public static async Task<bool> SeesCloseAsync(Socket socket)
    {
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Deadline) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
