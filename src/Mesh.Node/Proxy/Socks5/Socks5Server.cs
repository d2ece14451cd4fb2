using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Client;
using Mesh.Hbone.Sockets;
using Mesh.Node.Proxy.Outbound;
using Mesh.Node.Telemetry;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// The ztunnel's SOCKS5 front door (Istio's ztunnel: 15080 on loopback, opt-in). In local mode there is no transparent
/// capture, so an app reaches the mesh by pointing its SOCKS5 proxy here. Each connection: the SOCKS5 handshake, the
/// name resolved to the address the client means (<see cref="ISocks5NameResolver"/>), then the same
/// <see cref="OutboundPipeline"/> as captured traffic — plan and connect (so a mesh destination may be reached over
/// HBONE), the SOCKS5 reply, relay and record. The source is the workload of this node at the client's address, if any.
/// Counters in <see cref="Stats"/> (outbound).
/// </summary>
public sealed class Socks5Server(
    Socks5ServerOptions options,
    ISocks5NameResolver names,
    OutboundPipeline outbound,
    DestinationResolver destinations,
    ILogger log,
    AcceptFailures? acceptFailures = null) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextId;
    private int _disposed;

    public ConnectionStats Stats { get; } = new();

    /// <summary>Where the server listens (the actual port when the options asked for port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener ?? throw new InvalidOperationException("not started")).LocalEndPoint!;

    /// <summary>Binds <see cref="Socks5ServerOptions.Endpoint"/> and starts accepting.</summary>
    public void Start()
    {
        var listener = new Socket(options.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(options.Endpoint);
            listener.Listen(options.Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        Start(listener);
    }

    /// <summary>Starts accepting on a listener that is already bound and listening; the server then owns it.</summary>
    public void Start(Socket listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        if (_listener is not null) throw new InvalidOperationException("already started");
        _listener = listener;
        _acceptLoop = AcceptLoop.RunAsync(listener, $"SOCKS5 {listener.LocalEndPoint}", client =>
        {
            var id = Interlocked.Increment(ref _nextId);
            var connection = HandleAsync(client);
            // Removed by a continuation registered after the add, so a connection that ends at once cannot leave a stale
            // entry behind (HandleAsync never faults).
            _connections[id] = connection;
            _ = connection.ContinueWith(_ => _connections.TryRemove(id, out Task? _), TaskScheduler.Default);
            return connection;
        }, log, acceptFailures, _stop.Token);
        log.LogInformation("socks5 proxy listening on {Endpoint}", LocalEndPoint);
    }

    private async Task HandleAsync(Socket client)
    {
        try
        {
            await HandleCoreAsync(client).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Last resort: a connection must never take the server down or fault an unobserved task.
            client.Dispose();
            log.LogWarning(e, "socks5 connection from {Client} failed", client.RemoteEndPoint);
        }
    }

    private async Task HandleCoreAsync(Socket client)
    {
        client.NoDelay = true;
        var clientAddress = (IPEndPoint)client.RemoteEndPoint!;
        // Unbuffered and not owning the socket: the handshake reads exact byte counts, the relay then takes over.
        var stream = new NetworkStream(client, ownsSocket: false);

        // The handshake (its own deadline).
        Socks5Request request;
        try
        {
            request = await Socks5Handshake.ReadRequestAsync(stream, options.HandshakeTimeout, _stop.Token).ConfigureAwait(false);
        }
        catch (Socks5HandshakeException e)
        {
            await CloseAsync(client, e.ReplySent).ConfigureAwait(false);
            log.LogInformation("socks5 handshake from {Client} failed: {Error}", clientAddress, e.Message);
            return;
        }
        catch (OperationCanceledException)
        {
            client.Dispose();
            return;
        }

        // The address the client means (its own deadline).
        var (target, unresolved) = await ResolveAsync(request).ConfigureAwait(false);
        if (target is null)
        {
            await RejectAsync(client, stream, unresolved!.Value.Reply).ConfigureAwait(false);
            log.LogInformation("socks5 request {Request} from {Client} refused: {Reason}", request, clientAddress, unresolved.Value.Reason);
            return;
        }

        // The outbound pipeline: plan and connect ...
        var source = destinations.LocalWorkload(clientAddress.Address);
        var connection = await outbound.ConnectAsync(
            new OutboundRequest(source, clientAddress.Address, clientAddress, target, Stats), _stop.Token).ConfigureAwait(false);
        if (!connection.Succeeded)
        {
            await RejectAsync(client, stream, ReplyFor(connection.Error)).ConfigureAwait(false);
            return;
        }

        // ... the SOCKS5 reply ...
        try
        {
            await Socks5Handshake.SendReplyAsync(stream, Socks5Reply.Succeeded, connection.LocalEndPoint, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            client.Dispose();
            outbound.Abandon(connection, $"client gone before the reply: {e.Message}");
            return;
        }

        // ... relay and record.
        await outbound.RelayAsync(client, connection, _stop.Token).ConfigureAwait(false);
    }

    private async Task<(IPEndPoint? Target, (Socks5Reply Reply, string Reason)? Failure)> ResolveAsync(Socks5Request request)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(options.ResolveTimeout);
        try
        {
            var target = await names.ResolveAsync(request, deadline.Token).ConfigureAwait(false);
            return target is null ? (null, (Socks5Reply.HostUnreachable, $"cannot resolve {request}")) : (target, null);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return (null, (Socks5Reply.HostUnreachable, $"resolving {request} timed out"));
        }
        catch (Exception e)
        {
            return (null, (Socks5Reply.GeneralFailure, $"resolving {request} failed: {e.Message}"));
        }
    }

    /// <summary>The reply code for a failed connect (its record already says why).</summary>
    internal static Socks5Reply ReplyFor(Exception? error) => error switch
    {
        SocketException s => ReplyFor(s.SocketErrorCode),
        NoRouteException or OperationCanceledException or TimeoutException or Akka.Actor.AskTimeoutException => Socks5Reply.HostUnreachable,
        HboneException { Status: 401 } => Socks5Reply.NotAllowedByRuleset,
        HboneException { Status: 503 } => Socks5Reply.ConnectionRefused,
        _ => Socks5Reply.GeneralFailure,
    };

    internal static Socks5Reply ReplyFor(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => Socks5Reply.ConnectionRefused,
        SocketError.NetworkUnreachable or SocketError.NetworkDown => Socks5Reply.NetworkUnreachable,
        SocketError.HostUnreachable or SocketError.HostDown or SocketError.TimedOut => Socks5Reply.HostUnreachable,
        SocketError.AccessDenied => Socks5Reply.NotAllowedByRuleset,
        _ => Socks5Reply.GeneralFailure,
    };

    private async Task RejectAsync(Socket client, NetworkStream stream, Socks5Reply reply)
    {
        try
        {
            await Socks5Handshake.SendReplyAsync(stream, reply, null, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client left first; nothing to tell it.
        }
        await CloseAsync(client, replySent: true).ConfigureAwait(false);
    }

    /// <summary>
    /// After an error reply: FIN, then read what the client still sends for a moment, because close() with unread
    /// input resets the connection and the reset can overtake the reply the client has not read yet.
    /// </summary>
    private async Task CloseAsync(Socket client, bool replySent)
    {
        if (replySent)
        {
            try
            {
                client.Shutdown(SocketShutdown.Send);
                using var linger = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                linger.CancelAfter(TimeSpan.FromSeconds(1));
                var sink = new byte[512];
                while (await client.ReceiveAsync(sink, SocketFlags.None, linger.Token).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Gone or too slow to hang up: close anyway.
            }
        }
        client.Dispose();
    }

    /// <summary>Stops accepting, cuts every open connection and waits for them to be recorded. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stop.Dispose();
        if (_listener is not null) log.LogInformation("socks5 proxy stopped");
    }
}
