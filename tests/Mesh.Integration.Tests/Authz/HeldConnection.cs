using System.Diagnostics;

namespace Mesh.Integration.Tests.Authz;

/// <summary>
/// A TCP connection held open from inside a local-mesh pod's netns (a python3 one-liner under <c>ip netns exec</c>,
/// like an app): it sends one line, prints what came back, then blocks until the peer ends the connection and prints
/// <c>closed</c>. The test watches stdout; killing the process ends it.
/// </summary>
internal sealed class HeldConnection : IDisposable
{
    private const string Script = """
        import socket, sys
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
        s.settimeout(None)
        if sys.argv[3] == "echo":
            s.sendall(b"hello\n")
            print("echo " + s.recv(64).decode().strip(), flush=True)
        print("open", flush=True)
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        print("closed", flush=True)
        """;

    private readonly Process _process;
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _lines = [];

    private HeldConnection(string netns, string ip, int port, bool echo)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", netns, "python3", "-c", Script, ip, port.ToString(System.Globalization.CultureInfo.InvariantCulture), echo ? "echo" : "hold" })
            start.ArgumentList.Add(arg);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add("stderr: " + e.Data); };
        _process.Exited += (_, _) => _closed.TrySetResult();
        _process.EnableRaisingEvents = true;
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Opens it and waits until it is established (and, for <paramref name="echo"/>, one line went round).</summary>
    public static async Task<HeldConnection> OpenAsync(string netns, string ip, int port, bool echo)
    {
        var held = new HeldConnection(netns, ip, port, echo);
        try
        {
            await held._opened.Task.WaitAsync(TimeSpan.FromSeconds(20));
            return held;
        }
        catch (TimeoutException)
        {
            held.Dispose();
            throw new TimeoutException($"connection to {ip}:{port} from {netns} not open: {held.Output}");
        }
    }

    public string Output
    {
        get { lock (_lines) return string.Join(" | ", _lines); }
    }

    /// <summary>Completes when the peer ended the connection.</summary>
    public Task Closed => _closed.Task;

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lines) _lines.Add(line);
        if (line == "open") _opened.TrySetResult();
        if (line == "closed") _closed.TrySetResult();
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
