using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.Integration.Tests.Harness;

/// <summary>A node's ztunnel ports (admin 15000, stats 15020, readiness 15021 in production), all on loopback here.</summary>
public sealed record ZtunnelPorts(int Admin, int Stats, int Readiness)
{
    public IEnumerable<string> Args =>
    [
        $"--Mesh:Node:Ports:Admin={Admin}", $"--Mesh:Node:Ports:Stats={Stats}", $"--Mesh:Node:Ports:Readiness={Readiness}",
        "--Mesh:Node:Ports:StatsBind=127.0.0.1", "--Mesh:Node:Ports:ReadinessBind=127.0.0.1",
    ];
}

/// <summary>One mesh executable running as its own OS process, with its output kept for failure messages.</summary>
public sealed class MeshProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public MeshProcess(string name, string dll, IEnumerable<string> args, int remotingPort, int adminPort, string protocol = "akka.tcp")
    {
        Name = name;
        RemotingPort = remotingPort;
        AdminPort = adminPort;
        Protocol = protocol;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue("ERR " + e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int RemotingPort { get; }
    public int AdminPort { get; }
    /// <summary>Akka's scheme for this member: akka.ssl.tcp with member TLS, akka.tcp without.</summary>
    public string Protocol { get; }
    public string Address => $"{Protocol}://mesh@127.0.0.1:{RemotingPort}";
    public string AdminEndpoint => $"127.0.0.1:{AdminPort}";
    public bool HasExited => _process.HasExited;
    /// <summary>A node's admin/stats/readiness ports (null for other members).</summary>
    public ZtunnelPorts? Ztunnel { get; set; }
    public string Output => string.Join('\n', _output);

    /// <summary>SIGKILL: no graceful leave, exactly like a crashed or OOM-killed pod.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); return true; }
        catch (OperationCanceledException) { return false; }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
