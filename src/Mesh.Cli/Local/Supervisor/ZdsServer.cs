using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Mesh.Protocol.Zds;

namespace Mesh.Cli.Local.Supervisor;

/// <summary>
/// The node agent's side of ZDS (<see cref="ZdsMessage"/>): a Unix stream socket where each node's ztunnel says hello
/// and then receives <c>add</c> for every ambient pod of its node, <c>snapshot-sent</c>, and later add/del. The server
/// owns the set of handed-over pods, so a connection's snapshot and the changes after it can never miss each other.
/// </summary>
public sealed class ZdsServer(string path, Action changed, Action<string> log) : IAsyncDisposable
{
    private sealed record Connection(string Node, Channel<string> Outbox);

    private readonly object _gate = new();
    private readonly Dictionary<string, (string Node, ZdsPod Pod)> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _acks = new(StringComparer.Ordinal); // uid → error (null = ok)
    private readonly HashSet<string> _helloSeen = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Socket? _listener;
    private Task? _accept;

    public void Start()
    {
        if (File.Exists(path)) File.Delete(path); // a stale socket from a crashed run
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(16);
        _accept = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Hands a pod to its node's ztunnel (again, if its details changed).</summary>
    public void SetPod(string node, ZdsPod pod)
    {
        lock (_gate)
        {
            if (_pods.TryGetValue(pod.Uid, out var known) && known.Node == node && known.Pod == pod) return;
            if (known.Node is not null && known.Node != node) Send(known.Node, new ZdsMessage(ZdsMessage.Del, Uid: pod.Uid));
            _pods[pod.Uid] = (node, pod);
            _acks.Remove(pod.Uid);
            Send(node, new ZdsMessage(ZdsMessage.Add, Pod: pod));
        }
        changed();
    }

    /// <summary>Takes a pod back (deleted, or it lost its ambient label).</summary>
    public void RemovePod(string uid)
    {
        lock (_gate)
        {
            if (!_pods.Remove(uid, out var known)) return;
            _acks.Remove(uid);
            Send(known.Node, new ZdsMessage(ZdsMessage.Del, Uid: uid));
        }
        changed();
    }

    /// <summary>The ztunnel confirmed the pod's capture is in place.</summary>
    public bool IsAcked(string uid)
    {
        lock (_gate) return _acks.TryGetValue(uid, out var error) && error is null;
    }

    public string? AckError(string uid)
    {
        lock (_gate) return _acks.GetValueOrDefault(uid);
    }

    public bool IsConnected(string node)
    {
        lock (_gate) return _connections.ContainsKey(node);
    }

    /// <summary>A ztunnel for this node has said hello at least once since the supervisor started.</summary>
    public bool HasSeen(string node)
    {
        lock (_gate) return _helloSeen.Contains(node);
    }

    private void Send(string node, ZdsMessage message)
    {
        if (_connections.TryGetValue(node, out var connection)) connection.Outbox.Writer.TryWrite(message.ToLine());
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener!.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Connection? connection = null;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var first = await reader.ReadLineAsync(_stop.Token);
            if (first is null) return;
            var hello = ZdsMessage.Parse(first);
            if (hello.Type != ZdsMessage.Hello || string.IsNullOrEmpty(hello.Node))
                throw new FormatException($"expected hello with a node, got '{hello.Type}'");

            connection = new Connection(hello.Node, Channel.CreateUnbounded<string>());
            lock (_gate)
            {
                if (_connections.Remove(hello.Node, out var previous)) previous.Outbox.Writer.TryComplete();
                _connections[hello.Node] = connection;
                _helloSeen.Add(hello.Node);
                // A (re)connected ztunnel has no listeners yet: every pod of its node waits for a fresh ack.
                foreach (var (uid, entry) in _pods.Where(p => p.Value.Node == hello.Node))
                {
                    _acks.Remove(uid);
                    connection.Outbox.Writer.TryWrite(new ZdsMessage(ZdsMessage.Add, Pod: entry.Pod).ToLine());
                }
                connection.Outbox.Writer.TryWrite(new ZdsMessage(ZdsMessage.SnapshotSent).ToLine());
            }
            log($"ztunnel of {hello.Node} connected");
            changed();

            var writer = Task.Run(async () =>
            {
                await foreach (var line in connection.Outbox.Reader.ReadAllAsync(_stop.Token))
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                }
            });
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0) continue;
                var message = ZdsMessage.Parse(line);
                if (message.Type != ZdsMessage.Ack || message.Uid is null) continue;
                lock (_gate) if (_pods.ContainsKey(message.Uid)) _acks[message.Uid] = message.Error;
                if (message.Error is not null) log($"ztunnel of {hello.Node} could not capture {message.Uid}: {message.Error}");
                changed();
            }
            connection.Outbox.Writer.TryComplete();
            await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (Exception e) when (e is IOException or SocketException or FormatException or OperationCanceledException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested) log($"ZDS connection ended: {e.Message}");
        }
        finally
        {
            if (connection is not null)
            {
                lock (_gate)
                {
                    if (_connections.TryGetValue(connection.Node, out var current) && current == connection)
                    {
                        _connections.Remove(connection.Node);
                        foreach (var uid in _pods.Where(p => p.Value.Node == connection.Node).Select(p => p.Key)) _acks.Remove(uid);
                    }
                }
                log($"ztunnel of {connection.Node} disconnected");
                changed();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener?.Dispose();
        if (_accept is not null) await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try { File.Delete(path); } catch (IOException) { }
        _stop.Dispose();
    }
}
