using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench.Modes;

/// <summary>
/// A started mode: the port the load generator connects to and the hop processes (ours are <c>mesh-bench --serve</c>
/// children, so their CPU and memory are measured apart from the load generator and the sink).
/// </summary>
internal sealed class RunningMode : IDisposable
{
    private readonly List<Hop> _hops = [];

    public RunningMode(Mode mode, int entryPort) { Mode = mode; EntryPort = entryPort; }

    public Mode Mode { get; }
    public string Name => Mode.Name;
    public int EntryPort { get; }
    public bool HasProcesses => _hops.Count > 0;

    /// <summary>
    /// Starts one of our hops: <c>mesh-bench --serve</c> of <paramref name="build"/> in a child process, with the
    /// collector <paramref name="context"/> asks for; returns once it listens.
    /// </summary>
    public async Task StartServeAsync(HopBuild build, string serveMode, int listen, int next, int final, ModeContext context)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false,
        };
        // The runtime's own knob, so an earlier build (whose runtimeconfig we do not control) runs with the same collector.
        start.Environment["DOTNET_gcServer"] = context.Gc == HopGc.Server ? "1" : "0";
        foreach (var arg in new[] { build.Dll, "--serve", serveMode, Num(listen), Num(next), Num(final), context.Pki.Dir })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        _hops.Add(new Hop(process, Ours: true));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        // This build says which collector it got ("ready server"); an earlier build may say only "ready".
        var expected = "ready " + context.Gc.ToString().ToLowerInvariant();
        if (line != expected && !(build.IsBefore && line == "ready"))
            throw new InvalidOperationException($"--serve {serveMode} did not start as expected ({line ?? "exited"}; wanted \"{expected}\")");
        await WaitForPortAsync(listen);
    }

    /// <summary>Starts an external tool (stunnel, haproxy) that listens on <paramref name="port"/>.</summary>
    public async Task StartToolAsync(string tool, IEnumerable<string> args, int port)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _hops.Add(new Hop(process, Ours: false));
        await WaitForPortAsync(port);
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) { await Task.Delay(50); }
        }
        throw new InvalidOperationException($"nothing listens on {port}");
    }

    /// <summary>CPU seconds (user + system, all threads) used so far by the hop processes.</summary>
    public double CpuSeconds() => _hops.Sum(h =>
    {
        // Fields after "(comm)": state is [0], utime [11], stime [12], in clock ticks (USER_HZ = 100 on Linux).
        var fields = File.ReadAllText($"/proc/{h.Process.Id}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    });

    /// <summary>Resident memory (VmRSS, KiB) of the hop processes.</summary>
    public long RssKiB() => _hops.Sum(h =>
    {
        var line = File.ReadLines($"/proc/{h.Process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    });

    /// <summary>Asks each of our hops for a full blocking GC (so RSS compares live memory, not pending garbage).</summary>
    public async Task CollectGarbageAsync()
    {
        foreach (var hop in _hops.Where(h => h.Ours))
        {
            await hop.Process.StandardInput.WriteLineAsync("gc");
            await hop.Process.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            if (await hop.Process.StandardOutput.ReadLineAsync(timeout.Token) != "ok")
                throw new InvalidOperationException($"{Name}: a hop did not answer the gc request");
        }
    }

    public static int FreePort()
    {
        using var l = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        l.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)l.LocalEndPoint!).Port;
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var hop in _hops)
        {
            try
            {
                if (hop.Ours) hop.Process.StandardInput.Close(); // EOF on stdin: the child exits by itself
                if (!hop.Process.WaitForExit(TimeSpan.FromSeconds(hop.Ours ? 3 : 0)))
                    hop.Process.Kill(entireProcessTree: true);
                hop.Process.WaitForExit();
            }
            catch (Exception e) when (e is InvalidOperationException or IOException) { }
            hop.Process.Dispose();
        }
    }

    private sealed record Hop(Process Process, bool Ours);
}
