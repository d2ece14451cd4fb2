using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Mesh.Hbone.Http2;
using Mesh.Hbone.Sockets;
using Mesh.Hbone.Tls;
using Microsoft.Extensions.Logging;

namespace Mesh.Hbone.Server;

/// <summary>
/// An HBONE server on one listener (in the ztunnel: a pod's podIP:15008): mutual TLS 1.3 with the local SVID (fetched
/// per handshake, so rotation applies to new connections), HTTP/2 with MAX_CONCURRENT_STREAMS =
/// <see cref="HboneOptions.MaxStreamsPerConnection"/>, malformed CONNECTs answered 400, well-formed ones handed to an
/// <see cref="IHboneStreamHandler"/> as <see cref="HboneInboundStream"/>s. A failing connection or handler never affects
/// the others.
/// </summary>
public sealed partial class HboneServer : IAsyncDisposable
{
    private readonly HboneOptions _options;
    private readonly Func<CancellationToken, ValueTask<WorkloadCertificate>> _serverCertificate;
    private readonly IHboneStreamHandler _handler;
    private readonly ILogger _logger;
    private readonly AcceptFailures? _acceptFailures;
    private readonly ConcurrentDictionary<ServerConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopped = new();
    private long _accepted;

    /// <param name="options">Stream limits, windows, timeouts.</param>
    /// <param name="serverCertificate">The current SVID of the pod this listener serves.</param>
    /// <param name="handler">Serves each CONNECT.</param>
    /// <param name="logger">Connection-level events.</param>
    /// <param name="acceptFailures">Where failed accepts are counted (none when null).</param>
    public HboneServer(HboneOptions options, Func<CancellationToken, ValueTask<WorkloadCertificate>> serverCertificate,
        IHboneStreamHandler handler, ILogger logger, AcceptFailures? acceptFailures = null)
    {
        _options = options;
        _serverCertificate = serverCertificate;
        _handler = handler;
        _logger = logger;
        _acceptFailures = acceptFailures;
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
        var name = $"HBONE {listener.LocalEndPoint}";
        try
        {
            await AcceptLoop.RunAsync(listener, name, socket =>
            {
                Interlocked.Increment(ref _accepted);
                var task = ServeAsync(socket);
                running.TryAdd(task, 0);
                _ = task.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), running,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return task;
            }, _logger, _acceptFailures, accepting.Token);
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
