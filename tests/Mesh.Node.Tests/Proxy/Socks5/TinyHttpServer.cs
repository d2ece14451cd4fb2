using Mesh.Testing;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Node.Tests.Proxy.Socks5;

/// <summary>A loopback HTTP/1.1 server that answers every request with one fixed body, then closes.</summary>
internal sealed class TinyHttpServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly byte[] _body;
    private readonly Task _loop;

    public TinyHttpServer(byte[] body)
    {
        _body = body;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _loop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        try
        {
            // Read the request head (curl sends no body on GET).
            var head = new List<byte>();
            var buffer = new byte[4096];
            while (!EndsWithBlankLine(head))
            {
                var read = await client.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0) return;
                head.AddRange(buffer.AsSpan(0, read));
            }
            var header = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {_body.Length}\r\nConnection: close\r\n\r\n");
            await LoopbackPairs.SendAllAsync(client, header);
            await LoopbackPairs.SendAllAsync(client, _body);
            client.Shutdown(SocketShutdown.Send);
            await LoopbackPairs.SeesCloseAsync(client);
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            // The client went away; the spec asserts on what it received.
        }
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    public void Dispose()
    {
        _listener.Dispose();
        _loop.Wait(LoopbackPairs.Deadline);
    }
}
