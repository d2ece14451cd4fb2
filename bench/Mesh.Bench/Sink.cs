using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench;

/// <summary>
/// The far end of every scenario, in the bench process: first byte picks the mode — 'B' bulk (discard until EOF,
/// answer the byte count), 'E' echo (until EOF). Same server for every scenario, so only the hops differ.
/// </summary>
internal sealed class Sink : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();

    public Sink()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4096);
        _ = AcceptLoop();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptAsync(_stop.Token); } catch { return; }
            socket.NoDelay = true;
            _ = Serve(socket);
        }
    }

    private static async Task Serve(Socket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            var mode = new byte[1];
            if (await socket.ReceiveAsync(mode) == 0) return;
            if (mode[0] == (byte)'B')
            {
                long total = 0;
                int read;
                while ((read = await socket.ReceiveAsync(buffer)) > 0) total += read;
                var count = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(count, total);
                await socket.SendAsync(count);
            }
            else
            {
                int read;
                while ((read = await socket.ReceiveAsync(buffer)) > 0) await socket.SendAsync(buffer.AsMemory(0, read));
            }
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException) { }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            socket.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
    }
}
