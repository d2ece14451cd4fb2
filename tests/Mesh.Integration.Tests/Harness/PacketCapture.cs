using System.Diagnostics;
using System.Text;

namespace Mesh.Integration.Tests.Harness;

/// <summary>
/// <c>tcpdump</c> writing a full-snaplen pcap inside a network namespace. <see cref="StartAsync"/> returns once tcpdump
/// reports that it is listening; <see cref="StopAsync"/> sends SIGINT and waits for it to exit (its summary says how many
/// packets were captured and dropped). Disposing kills it if a test failed before stopping it.
/// </summary>
public sealed class PacketCapture : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PacketCapture(Process process, string path)
    {
        _process = process;
        Path = path;
    }

    public string Path { get; }

    /// <summary>What tcpdump printed on stderr so far ("listening on …", at exit "N packets captured … dropped by kernel").</summary>
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public static async Task<PacketCapture> StartAsync(string netns, string iface, string filter, string path)
    {
        // --immediate-mode: hand each packet over at once (else the last ring block can be lost at SIGINT);
        // -U: flush the file per packet; -s 0: whole frames; -Z root: keep root so it can write into a 0700 temp dir.
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", netns, "tcpdump", "-i", iface, "-nn", "--immediate-mode", "-U", "-s", "0", "-Z", "root", "-w", path, filter })
            start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var capture = new PacketCapture(process, path);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (capture._stderr) capture._stderr.AppendLine(e.Data);
            if (e.Data.Contains("listening on", StringComparison.Ordinal)) capture._listening.TrySetResult();
        };
        process.Exited += (_, _) => capture._listening.TrySetException(
            new InvalidOperationException($"tcpdump exited before listening: {capture.Stderr}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await capture._listening.Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch
        {
            await capture.DisposeAsync();
            throw;
        }
        return capture;
    }

    /// <summary>SIGINT (tcpdump flushes and prints its counters), then waits for the exit; returns the stderr summary.</summary>
    public async Task<string> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync();
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(deadline.Token);
        return Stderr;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
