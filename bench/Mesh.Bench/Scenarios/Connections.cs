using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench.Scenarios;

/// <summary>Blocking client sockets for the load generator (dedicated threads wake straight from the kernel).</summary>
internal static class Connections
{
    /// <summary>Connects to the mode's entry port and sends the sink's mode byte ('B' bulk, 'E' echo).</summary>
    public static Socket Open(int port, byte sinkMode, int timeoutMs = 10_000)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true, ReceiveTimeout = timeoutMs, SendTimeout = timeoutMs,
        };
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            socket.Send([sinkMode]);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static void SendAll(Socket socket, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty) data = data[socket.Send(data)..];
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes; false on EOF first.</summary>
    public static bool ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = socket.Receive(buffer);
            if (n == 0) return false;
            buffer = buffer[n..];
        }
        return true;
    }

    /// <summary>Runs <paramref name="body"/>(index) on <paramref name="count"/> dedicated threads and waits for all.</summary>
    public static void OnThreads(int count, Action<int> body)
    {
        var errors = new List<Exception>();
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            try { body(i); }
            catch (Exception e) { lock (errors) errors.Add(e); }
        }) { IsBackground = true, Name = $"load-{i}" }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (errors.Count > 0) throw new AggregateException(errors);
    }
}
