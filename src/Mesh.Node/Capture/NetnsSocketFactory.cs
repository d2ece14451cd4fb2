using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Node.Capture;

/// <summary>
/// Creates sockets inside one pod's network namespace from a single long-lived dedicated thread, so that every
/// listener and every outbound connection can originate in the pod netns without a thread per connection.
/// Only creation (and bind/listen) happens on that thread; the returned sockets are used from anywhere.
/// </summary>
public sealed class NetnsSocketFactory : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly NetworkNamespace _netns;
    private readonly bool _ownsNamespace;
    private readonly Thread _thread;
    private int _disposed;

    /// <summary>Starts the namespace thread and waits until it has entered <paramref name="netns"/>.</summary>
    /// <param name="netns">The namespace; it must stay open until the thread has entered it (the constructor returns).</param>
    /// <param name="ownsNamespace">Dispose <paramref name="netns"/> together with this factory.</param>
    /// <exception cref="NetworkNamespaceException">The thread could not enter the namespace.</exception>
    public NetnsSocketFactory(NetworkNamespace netns, bool ownsNamespace = false)
    {
        ArgumentNullException.ThrowIfNull(netns);
        _netns = netns;
        _ownsNamespace = ownsNamespace;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() => Loop(entered)) { IsBackground = true, Name = $"netns sockets {netns.Path}" };
        _thread.Start();
        try
        {
            entered.Task.GetAwaiter().GetResult();
        }
        catch
        {
            if (_ownsNamespace)
                _netns.Dispose();
            throw;
        }
    }

    /// <summary>Opens the namespace at <paramref name="path"/> and owns it.</summary>
    public static NetnsSocketFactory Open(string path)
    {
        var netns = NetworkNamespace.Open(path);
        return new NetnsSocketFactory(netns, ownsNamespace: true);
    }

    /// <summary>The namespace path the sockets are created in.</summary>
    public string Path => _netns.Path;

    /// <summary>Runs <paramref name="func"/> on the namespace thread. Keep it short: it blocks all other requests.</summary>
    public Task<T> RunAsync<T>(Func<T> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Work()
        {
            try { done.SetResult(func()); }
            catch (Exception e) { done.SetException(e); }
        }
        try
        {
            _work.Add(Work);
        }
        catch (InvalidOperationException)
        {
            // Adding after CompleteAdding: the factory has been disposed.
            throw new ObjectDisposedException(nameof(NetnsSocketFactory));
        }
        return done.Task;
    }

    /// <summary>A new TCP socket in the namespace; <paramref name="configure"/> runs there before it is returned.</summary>
    public Task<Socket> CreateTcpAsync(AddressFamily family, Action<Socket>? configure = null) =>
        CreateAsync(family, SocketType.Stream, ProtocolType.Tcp, configure);

    /// <summary>A new UDP socket in the namespace; <paramref name="configure"/> runs there before it is returned.</summary>
    public Task<Socket> CreateUdpAsync(AddressFamily family, Action<Socket>? configure = null) =>
        CreateAsync(family, SocketType.Dgram, ProtocolType.Udp, configure);

    /// <summary>
    /// A TCP listener bound in the namespace. <paramref name="configure"/> runs before bind (e.g. IP_TRANSPARENT,
    /// SO_MARK); SO_REUSEADDR is set so a restarted listener can rebind while old connections linger.
    /// </summary>
    public Task<Socket> ListenAsync(IPEndPoint endpoint, int backlog = 512, Action<Socket>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return CreateAsync(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp, socket =>
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            configure?.Invoke(socket);
            socket.Bind(endpoint);
            socket.Listen(backlog);
        });
    }

    /// <summary>A UDP socket bound in the namespace (e.g. the DNS capture port); <paramref name="configure"/> runs before bind.</summary>
    public Task<Socket> BindUdpAsync(IPEndPoint endpoint, Action<Socket>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return CreateAsync(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp, socket =>
        {
            configure?.Invoke(socket);
            socket.Bind(endpoint);
        });
    }

    private Task<Socket> CreateAsync(AddressFamily family, SocketType type, ProtocolType protocol, Action<Socket>? configure) =>
        RunAsync(() =>
        {
            var socket = new Socket(family, type, protocol);
            try
            {
                configure?.Invoke(socket);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        });

    private void Loop(TaskCompletionSource entered)
    {
        try
        {
            _netns.EnterOnCurrentThread();
        }
        catch (Exception e)
        {
            entered.SetException(e);
            return;
        }
        entered.SetResult();
        foreach (var work in _work.GetConsumingEnumerable())
            work();
    }

    /// <summary>Ends the namespace thread after the requests already queued; later requests throw.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread && _thread.IsAlive)
            _thread.Join(TimeSpan.FromSeconds(5));
        if (_ownsNamespace)
            _netns.Dispose();
    }
}
