using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Echo;

/// <summary>
/// Raw TCP echo: every received byte goes straight back. When the client half-closes, the remaining bytes
/// are echoed, then our send side is shut down too. One pooled buffer per connection, all I/O async.
/// </summary>
internal sealed class TcpEchoListener : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly Socket _listener;
    private readonly LineLog _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly Task _acceptLoop;

    private TcpEchoListener(Socket listener, LineLog log)
    {
        _listener = listener;
        _log = log;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    public static TcpEchoListener Start(IPAddress address, int port, LineLog log)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(address, port));
            listener.Listen(512);
            return new TcpEchoListener(listener, log);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. the peer reset before we accepted; keep serving others
            }

            var connection = EchoAsync(client, token);
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _),
                _connections, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task EchoAsync(Socket client, CancellationToken token)
    {
        // Leave the accept loop right away; the connection runs on its own.
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        var peer = client.RemoteEndPoint?.ToString() ?? "?";
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long echoed = 0;
        string outcome = "closed";
        try
        {
            client.NoDelay = true;
            while (true)
            {
                var received = await client.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, token).ConfigureAwait(false);
                if (received == 0)
                {
                    break; // client half-closed: everything it sent has been echoed
                }

                for (var sent = 0; sent < received;)
                {
                    sent += await client.SendAsync(buffer.AsMemory(sent, received - sent), SocketFlags.None, token).ConfigureAwait(false);
                }

                echoed += received;
            }

            client.Shutdown(SocketShutdown.Send);
        }
        catch (OperationCanceledException)
        {
            outcome = "stopped";
        }
        catch (SocketException e)
        {
            outcome = e.SocketErrorCode.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            client.Dispose();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            _log.Write(string.Create(CultureInfo.InvariantCulture, $"tcp {peer} {outcome} echoed={echoed}B {elapsed:0.0}ms"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Keys).ConfigureAwait(false);
        _stop.Dispose();
    }
}
