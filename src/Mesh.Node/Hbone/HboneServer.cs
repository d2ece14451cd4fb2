using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Mesh.Node.Hbone.Http2;
using Mesh.Node.Identity;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Hbone;

/// <summary>
/// The HBONE server of one pod (port 15008): mutual TLS 1.3 with the pod's SVID (fetched per handshake, so rotation
/// applies to new connections), HTTP/2 with MAX_CONCURRENT_STREAMS = <see cref="HboneOptions.MaxStreamsPerConnection"/>,
/// classic CONNECT requests handed to an <see cref="IHboneInboundHandler"/>, bytes relayed with half-close.
/// A failing connection or handler never affects the others.
/// </summary>
public sealed partial class HboneServer : IAsyncDisposable
{
    private readonly HboneOptions _options;
    private readonly Func<CancellationToken, ValueTask<WorkloadCertificate>> _serverCertificate;
    private readonly IHboneInboundHandler _handler;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ServerConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopped = new();
    private long _accepted;

    /// <param name="options">Stream limits, windows, timeouts.</param>
    /// <param name="serverCertificate">The current SVID of the pod this listener serves.</param>
    /// <param name="handler">Admission and app connection for each CONNECT.</param>
    /// <param name="logger">Connection-level events.</param>
    public HboneServer(HboneOptions options, Func<CancellationToken, ValueTask<WorkloadCertificate>> serverCertificate,
        IHboneInboundHandler handler, ILogger logger)
    {
        _options = options;
        _serverCertificate = serverCertificate;
        _handler = handler;
        _logger = logger;
    }

    /// <summary>TCP connections accepted so far.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>HTTP/2 connections currently established (after TLS).</summary>
    public int ActiveConnections => _connections.Count;

    /// <summary>
    /// Accepts on <paramref name="listener"/> (bound and listening, created by the caller inside the pod netns) until
    /// <paramref name="cancellationToken"/> fires; then sends GOAWAY on every connection and waits up to
    /// <see cref="HboneOptions.DrainTimeout"/> for in-flight streams before cutting them.
    /// </summary>
    public async Task RunAsync(Socket listener, CancellationToken cancellationToken)
    {
        var running = new ConcurrentDictionary<Task, byte>();
        // Stops on the caller's token or on DisposeAsync.
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopped.Token);
        try
        {
            while (!accepting.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptAsync(accepting.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }
                catch (SocketException e)
                {
                    // Out of descriptors or a connection reset before accept: keep serving.
                    _logger.LogWarning("HBONE accept failed: {Error}", e.SocketErrorCode);
                    await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
                    continue;
                }
                Interlocked.Increment(ref _accepted);
                var task = ServeAsync(socket);
                running.TryAdd(task, 0);
                _ = task.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), running,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        finally
        {
            DrainConnections();
            var all = Task.WhenAll(running.Keys);
            if (await Task.WhenAny(all, Task.Delay(_options.DrainTimeout, CancellationToken.None)) != all)
            {
                await _stopped.CancelAsync();
                foreach (var connection in _connections.Keys)
                    await connection.Http2.DisposeAsync();
                await all;
            }
        }
    }

    /// <summary>GOAWAY on every current connection: clients move new streams elsewhere, open streams finish.</summary>
    public void DrainConnections()
    {
        foreach (var connection in _connections.Keys)
            connection.Http2.Drain();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped.IsCancellationRequested)
            return;
        await _stopped.CancelAsync();
        await Task.WhenAll(_connections.Keys.Select(c => c.Http2.DisposeAsync().AsTask()));
    }

    /// <summary>One accepted socket: TLS, HTTP/2, until the connection closes. Never throws.</summary>
    private async Task ServeAsync(Socket socket)
    {
        await Task.Yield(); // off the accept loop
        socket.NoDelay = true;
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        ServerConnection? connection = null;
        try
        {
            using (var setup = CancellationTokenSource.CreateLinkedTokenSource(_stopped.Token))
            {
                setup.CancelAfter(_options.ConnectTimeout);
                var certificate = await _serverCertificate(setup.Token);
                await tls.AuthenticateAsServerAsync(HboneTls.Server(certificate), setup.Token);
                var peer = HboneTls.PeerIdentity(tls);
                connection = new ServerConnection(this, peer, remote, local);
                connection.Http2 = new Http2Connection(tls, Http2ConnectionOptions.ForHbone(_options, isServer: true), _logger,
                    connection.OnRequest);
                _connections.TryAdd(connection, 0);
                await connection.Http2.StartAsync(setup.Token);
            }
            await connection.Http2.Completion;
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "HBONE connection from {Remote} failed", remote);
            if (connection?.Http2 is { } http2)
                await http2.DisposeAsync();
            else
                await tls.DisposeAsync();
        }
        finally
        {
            if (connection is not null)
                _connections.TryRemove(connection, out _);
        }
    }
}
