namespace Mesh.Node.Capture;

/// <summary>
/// An open handle on a Linux network namespace (e.g. <c>/var/run/netns/NAME</c> or <c>/proc/PID/ns/net</c>).
/// Namespaces are per thread, so code runs "inside" it only on a dedicated thread that calls <c>setns</c> first and
/// then ends; pool threads are never switched (one left in a pod netns would poison every later work item).
/// Sockets created inside keep that namespace for life, whichever thread uses them afterwards.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private int _fd;

    private NetworkNamespace(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    /// <summary>The path this namespace was opened from.</summary>
    public string Path { get; }

    /// <summary>Opens the namespace at <paramref name="path"/> (read-only, close-on-exec).</summary>
    /// <exception cref="NetworkNamespaceException">The path is missing or cannot be opened.</exception>
    public static NetworkNamespace Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fd = LinuxNative.Open(path, LinuxNative.O_RDONLY | LinuxNative.O_CLOEXEC);
        if (fd < 0)
            throw new NetworkNamespaceException($"cannot open network namespace '{path}': {LinuxNative.LastErrorText()}");
        return new NetworkNamespace(path, fd);
    }

    /// <summary>Opens a named namespace as created by <c>ip netns add NAME</c>.</summary>
    public static NetworkNamespace OpenNamed(string name) => Open($"/var/run/netns/{name}");

    /// <summary>Runs <paramref name="func"/> on a new thread inside this namespace and waits for it.</summary>
    public T Run<T>(Func<T> func) => RunAsync(func).GetAwaiter().GetResult();

    /// <summary>Runs <paramref name="func"/> on a new dedicated thread inside this namespace.</summary>
    /// <exception cref="NetworkNamespaceException">(from the task) <c>setns</c> failed.</exception>
    public Task<T> RunAsync<T>(Func<T> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        var fd = Fd;
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Enter(fd, Path);
                done.SetResult(func());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {Path}",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Switches the calling thread into the namespace; only for threads that are discarded or dedicated.</summary>
    internal void EnterOnCurrentThread() => Enter(Fd, Path);

    private int Fd
    {
        get
        {
            var fd = Volatile.Read(ref _fd);
            ObjectDisposedException.ThrowIf(fd < 0, this);
            return fd;
        }
    }

    private static void Enter(int fd, string path)
    {
        if (LinuxNative.SetNs(fd, LinuxNative.CLONE_NEWNET) != 0)
            throw new NetworkNamespaceException($"setns into network namespace '{path}' failed: {LinuxNative.LastErrorText()}");
    }

    /// <summary>Closes the handle; sockets already created inside keep working.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
            LinuxNative.Close(fd);
    }
}
