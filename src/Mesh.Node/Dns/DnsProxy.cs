using System.Net;
using System.Net.Sockets;
using Mesh.Hbone.Sockets;
using Mesh.Node.Capture;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Node.Dns;

/// <summary>
/// ztunnel's DNS proxy for one pod: listens on the DNS capture port (UDP and TCP) in the pod's netns, answers A/AAAA
/// queries for mesh names itself (<see cref="MeshNameAnswerer"/>) and forwards everything else unchanged to the
/// host's resolvers (<see cref="DnsUpstream"/>). Packets that do not parse are dropped and counted in
/// <see cref="MalformedQueries"/>; parsing never throws, so no packet can stop a loop.
/// </summary>
public sealed class DnsProxy : IAsyncDisposable
{
    /// <summary>An idle TCP client is closed after this long, so half-open connections cannot pile up.</summary>
    public static readonly TimeSpan TcpIdleTimeout = TimeSpan.FromSeconds(10);

    private readonly MeshNameAnswerer _answerer;
    private readonly DnsUpstream _upstream;
    private readonly ILogger _log;
    private readonly AcceptFailures? _acceptFailures;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private long _malformed, _requests, _forwarded, _forwardFailures;

    public DnsProxy(IMeshNameResolver names, string podNamespace, IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout,
        string clusterDomain = "cluster.local", ILogger? log = null, AcceptFailures? acceptFailures = null)
    {
        _answerer = new MeshNameAnswerer(names, podNamespace, clusterDomain);
        _upstream = new DnsUpstream(upstreams, timeout);
        _log = log ?? NullLogger.Instance;
        _acceptFailures = acceptFailures;
    }

    /// <summary>Packets (UDP datagrams or TCP messages) dropped because they are not a parseable DNS message.</summary>
    public long MalformedQueries => Interlocked.Read(ref _malformed);

    /// <summary>Queries that parsed (answered locally, forwarded, or refused).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Queries forwarded to the host's resolvers.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Forwarded queries that got no answer (answered SERVFAIL).</summary>
    public long ForwardFailures => Interlocked.Read(ref _forwardFailures);

    /// <summary>The port both listeners are bound to.</summary>
    public int Port { get; private set; }

    /// <summary>Listens on <paramref name="port"/> of every address inside the namespace of <paramref name="sockets"/>.</summary>
    public async Task StartAsync(NetnsSocketFactory sockets, int port)
    {
        // Captured DNS is REDIRECTed to 127.0.0.1 (locally generated traffic): a UDP socket bound to any address would
        // answer from the pod IP, which conntrack cannot match to the redirect, and the client would drop the reply.
        var udp = await sockets.BindUdpAsync(new IPEndPoint(IPAddress.Loopback, port));
        var tcp = await sockets.ListenAsync(new IPEndPoint(IPAddress.Any, port), 128);
        Start(udp, tcp);
    }

    /// <summary>Listens in the current netns (tests, local runs); port 0 picks one free for both UDP and TCP.</summary>
    public Task StartAsync(IPEndPoint local)
    {
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(local);
            var tcp = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(local.Address, ((IPEndPoint)udp.LocalEndPoint!).Port));
                tcp.Listen(128);
            }
            catch (SocketException) when (local.Port == 0 && attempt < 10)
            {
                // The port the kernel gave UDP is taken for TCP; try another.
                udp.Dispose();
                tcp.Dispose();
                continue;
            }
            Start(udp, tcp);
            return Task.CompletedTask;
        }
    }

    private void Start(Socket udp, Socket tcp)
    {
        Port = ((IPEndPoint)udp.LocalEndPoint!).Port;
        _sockets.Add(udp);
        _sockets.Add(tcp);
        _loops.Add(UdpLoopAsync(udp));
        _loops.Add(TcpLoopAsync(tcp));
    }

    /// <summary>The response to send, or <c>null</c> to send nothing (malformed packet, or forwarding got no answer).</summary>
    public async Task<byte[]?> HandleAsync(byte[] message, bool overTcp, CancellationToken ct)
    {
        if (!DnsQuery.TryParse(message, out var query, out _) || query is null)
        {
            Interlocked.Increment(ref _malformed);
            return null;
        }
        Interlocked.Increment(ref _requests);
        // As ztunnel's handler: a response sent to us is a format error, other opcodes are not implemented.
        if (query.IsResponse) return DnsResponseBuilder.Error(query, DnsRcode.FormErr);
        if (query.Opcode != 0) return DnsResponseBuilder.Error(query, DnsRcode.NotImp);
        if (query.QuestionCount != 1 || query.Question is not { } question) return DnsResponseBuilder.Error(query, DnsRcode.FormErr);

        IReadOnlyList<DnsRecord>? answers;
        try
        {
            answers = await _answerer.AnswerAsync(question, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return DnsResponseBuilder.Error(query, DnsRcode.ServFail);
        }
        if (answers is not null)
        {
            var limit = overTcp ? ushort.MaxValue : DnsResponseBuilder.UdpLimit(query);
            return DnsResponseBuilder.Build(query, DnsRcode.NoError, authoritative: true, answers, limit);
        }

        Interlocked.Increment(ref _forwarded);
        var forwarded = overTcp ? await _upstream.ExchangeTcpAsync(message, ct) : await _upstream.ExchangeUdpAsync(message, ct);
        if (forwarded is null) Interlocked.Increment(ref _forwardFailures);
        // ztunnel answers SERVFAIL when forwarding fails, so the client does not wait out its own timeout.
        return forwarded ?? DnsResponseBuilder.Error(query, DnsRcode.ServFail);
    }

    private async Task UdpLoopAsync(Socket listener)
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try { received = await listener.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            var message = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            _ = AnswerUdpAsync(listener, message, received.RemoteEndPoint);
        }
    }

    private async Task AnswerUdpAsync(Socket listener, byte[] message, EndPoint client)
    {
        try
        {
            if (await HandleAsync(message, overTcp: false, _stop.Token) is { } response)
                await listener.SendToAsync(response, client, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Shutting down or the client is gone: it retries or times out, as with any resolver.
        }
    }

    private Task TcpLoopAsync(Socket listener) =>
        AcceptLoop.RunAsync(listener, $"DNS tcp {listener.LocalEndPoint}", ServeTcpAsync, _log, _acceptFailures, _stop.Token);

    /// <summary>RFC 7766: any number of length-prefixed queries per connection, answered in order.</summary>
    private async Task ServeTcpAsync(Socket client)
    {
        using var _ = client;
        try
        {
            while (true)
            {
                byte[]? message;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    idle.CancelAfter(TcpIdleTimeout);
                    message = await DnsTcpFraming.ReadAsync(client, idle.Token);
                }
                if (message is null) return;
                var response = await HandleAsync(message, overTcp: true, _stop.Token);
                // Without a response the client would wait forever on this connection: close it instead.
                if (response is null) return;
                await DnsTcpFraming.WriteAsync(client, response, _stop.Token);
            }
        }
        catch (InvalidDataException)
        {
            Interlocked.Increment(ref _malformed);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Idle, shut down, or the client went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var socket in _sockets) socket.Dispose();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
