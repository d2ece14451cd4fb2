using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Node.Proxy.Outbound;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>
/// The ztunnel's SOCKS5 front door (Istio's ztunnel: 15080 on loopback, opt-in). In local mode there is no
/// transparent capture, so an app reaches the mesh by pointing its SOCKS5 proxy here. Each connection: handshake,
/// <c>resolve</c> (names → the address the client means), <c>connect</c> (the ztunnel plugs in the same outbound
/// planner and connector as captured traffic, so a mesh destination may be reached over HBONE), success reply, then
/// the upstream's relay. One log line per
/// connection, in the form <see cref="Workloads.CapturedPod"/> uses; counters in <see cref="Stats"/> (outbound).
/// </summary>
public sealed class Socks5Server : IAsyncDisposable
{
    private readonly Func<Socks5Request, CancellationToken, Task<IPEndPoint?>> _resolve;
    private readonly Func<IPEndPoint, IPEndPoint?, CancellationToken, Task<OutboundUpstream>> _connect;
    private readonly Socks5ServerOptions _options;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextId;
    private int _disposed;

    /// <param name="resolve">Where a request goes; null when it cannot be resolved (the client gets 0x04).</param>
    /// <param name="connect">Opens the upstream socket; throw <see cref="SocketException"/> on failure.</param>
    public Socks5Server(
        Func<Socks5Request, CancellationToken, Task<IPEndPoint?>> resolve,
        Func<IPEndPoint, CancellationToken, Task<Socket>> connect,
        Socks5ServerOptions options,
        ILogger log)
        : this(resolve, PlainConnect(connect ?? throw new ArgumentNullException(nameof(connect))), options, log)
    {
    }

    /// <param name="resolve">Where a request goes; null when it cannot be resolved (the client gets 0x04).</param>
    /// <param name="connect">
    /// Opens the upstream for (target, SOCKS client address): a plain socket or an HBONE tunnel. Failures map to reply
    /// codes: <see cref="SocketException"/> by error, <see cref="NoRouteException"/> → host unreachable,
    /// <see cref="HboneException"/> 401 → not allowed, 503 → refused.
    /// </param>
    public Socks5Server(
        Func<Socks5Request, CancellationToken, Task<IPEndPoint?>> resolve,
        Func<IPEndPoint, IPEndPoint?, CancellationToken, Task<OutboundUpstream>> connect,
        Socks5ServerOptions options,
        ILogger log)
    {
        _resolve = resolve ?? throw new ArgumentNullException(nameof(resolve));
        _connect = connect ?? throw new ArgumentNullException(nameof(connect));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    public ConnectionStats Stats { get; } = new();

    /// <summary>Where the server listens (the actual port when the options asked for port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener ?? throw new InvalidOperationException("not started")).LocalEndPoint!;

    /// <summary>Binds <see cref="Socks5ServerOptions.Endpoint"/> and starts accepting.</summary>
    public void Start()
    {
        var listener = new Socket(_options.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_options.Endpoint);
            listener.Listen(_options.Backlog);
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
        _acceptLoop = AcceptLoopAsync(listener);
        _log.LogInformation("socks5 proxy listening on {Endpoint}", LocalEndPoint);
    }

    private static Func<IPEndPoint, IPEndPoint?, CancellationToken, Task<OutboundUpstream>> PlainConnect(
        Func<IPEndPoint, CancellationToken, Task<Socket>> connect) =>
        async (target, _, ct) => OutboundUpstream.Plain(await connect(target, ct).ConfigureAwait(false), $"tcp {target}");

    /// <summary>A <c>connect</c> for local mode: a plain TCP connection from this host.</summary>
    public static async Task<Socket> DirectConnectAsync(IPEndPoint target, CancellationToken ct)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try { accepted = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                _log.LogWarning("socks5 accept failed: {Error}", e.Message);
                continue;
            }
            var id = Interlocked.Increment(ref _nextId);
            var connection = Task.Run(() => HandleAsync(accepted));
            // Removed by a continuation registered after the add, so a connection that ends at once cannot leave
            // a stale entry behind (HandleAsync never faults).
            _connections[id] = connection;
            _ = connection.ContinueWith(_ => _connections.TryRemove(id, out Task? _), TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var started = Stopwatch.GetTimestamp();
        Stats.Opened(Direction.Outbound);
        var log = new ConnectionLog(this, client.RemoteEndPoint as IPEndPoint, started);
        try
        {
            await HandleCoreAsync(client, log).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Last resort: a connection must never take the server down or fault an unobserved task.
            client.Dispose();
            log.Finish(0, 0, $"internal error: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task HandleCoreAsync(Socket client, ConnectionLog log)
    {
        client.NoDelay = true;
        // Unbuffered and not owning the socket: the handshake reads exact byte counts, the relay then takes over.
        var stream = new NetworkStream(client, ownsSocket: false);
        Socks5Request request;
        try
        {
            request = await Socks5Handshake.ReadRequestAsync(stream, _options.HandshakeTimeout, _stop.Token).ConfigureAwait(false);
        }
        catch (Socks5HandshakeException e)
        {
            await CloseAsync(client, e.ReplySent).ConfigureAwait(false);
            log.Finish(0, 0, $"handshake: {e.Message}");
            return;
        }
        catch (OperationCanceledException)
        {
            client.Dispose();
            log.Finish(0, 0, "proxy stopping");
            return;
        }
        log.Requested = request;

        OutboundUpstream upstream;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            deadline.CancelAfter(_options.ConnectTimeout);
            var (connected, reply, reason) = await ResolveAndConnectAsync(request, client.RemoteEndPoint as IPEndPoint, log, deadline.Token).ConfigureAwait(false);
            if (connected is null)
            {
                await RejectAsync(client, stream, reply).ConfigureAwait(false);
                log.Finish(0, 0, reason);
                return;
            }
            upstream = connected;
        }

        try
        {
            await Socks5Handshake.SendReplyAsync(stream, Socks5Reply.Succeeded, upstream.LocalEndPoint, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            client.Dispose();
            await upstream.DisposeAsync().ConfigureAwait(false);
            log.Finish(0, 0, $"client gone before the reply: {e.Message}");
            return;
        }

        log.Route = upstream.Route;
        log.Protocol = upstream.Protocol;
        var result = await upstream.RelayAsync(client, _stop.Token).ConfigureAwait(false);
        await upstream.DisposeAsync().ConfigureAwait(false);
        var error = result.Outcome switch
        {
            RelayOutcome.Failed => $"{result.ErrorSide.ToString().ToLowerInvariant()} failed: {result.Error?.Message}",
            RelayOutcome.Cancelled => "closed by the ztunnel",
            _ => null,
        };
        log.Finish(result.BytesUp, result.BytesDown, error);
    }

    /// <summary>The connected upstream, or why not with the reply code that says so.</summary>
    private async Task<(OutboundUpstream? Upstream, Socks5Reply Reply, string Reason)> ResolveAndConnectAsync(
        Socks5Request request, IPEndPoint? client, ConnectionLog log, CancellationToken ct)
    {
        IPEndPoint? target;
        try { target = await _resolve(request, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (null, Socks5Reply.HostUnreachable, $"resolving {request} timed out");
        }
        catch (Exception e)
        {
            return (null, Socks5Reply.GeneralFailure, $"resolving {request} failed: {e.Message}");
        }
        if (target is null)
            return (null, Socks5Reply.HostUnreachable, $"cannot resolve {request}");
        log.Target = target;

        try
        {
            return (await _connect(target, client, ct).ConfigureAwait(false), Socks5Reply.Succeeded, "");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (null, Socks5Reply.HostUnreachable, $"{target} connect timed out");
        }
        catch (SocketException e)
        {
            return (null, ReplyFor(e.SocketErrorCode), $"{target} connect failed: {e.SocketErrorCode}");
        }
        catch (NoRouteException e)
        {
            return (null, Socks5Reply.HostUnreachable, e.Message);
        }
        catch (HboneException e)
        {
            var reply = e.Status switch
            {
                401 => Socks5Reply.NotAllowedByRuleset,
                503 => Socks5Reply.ConnectionRefused,
                _ => Socks5Reply.GeneralFailure,
            };
            return (null, reply, $"{target} hbone failed{(e.Status is { } status ? $" ({status})" : "")}: {e.Message}");
        }
        catch (Exception e)
        {
            return (null, Socks5Reply.GeneralFailure, $"{target} connect failed: {e.Message}");
        }
    }

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

    /// <summary>Stops accepting, cuts every open connection and waits for their log lines. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stop.Dispose();
        if (_listener is not null) _log.LogInformation("socks5 proxy stopped");
    }

    /// <summary>What one connection's log line says; filled in as the connection gets further.</summary>
    private sealed class ConnectionLog(Socks5Server server, IPEndPoint? source, long started)
    {
        public Socks5Request? Requested { get; set; }
        public IPEndPoint? Target { get; set; }
        public string? Route { get; set; }
        public TrafficProtocol Protocol { get; set; }

        /// <summary>Bytes from the client's point of view: sent = client → destination.</summary>
        public void Finish(long sent, long received, string? error)
        {
            server.Stats.Closed(Direction.Outbound, sent, received, error is not null, Protocol);
            var duration = Stopwatch.GetElapsedTime(started);
            server._log.LogInformation(
                "connection complete socks5 src={Src} dst={Dst} target={Target} protocol={Protocol} route={Route} bytes_sent={Sent} bytes_recv={Recv} duration={Duration}ms{Error}",
                source?.ToString() ?? "-", Requested?.ToString() ?? "-", Target?.ToString() ?? "-",
                Protocol.ToString().ToLowerInvariant(), Route ?? "-", sent, received,
                (long)duration.TotalMilliseconds, error is null ? "" : $" error=\"{error}\"");
        }
    }
}
