using System.Diagnostics;
using System.Globalization;
using Mesh.Cli.Local.Network;

namespace Mesh.Cli.Local.Supervisor;

/// <summary>
/// One supervised process with restartPolicy Always: restarted after every exit with a backoff of 0.5 s doubling to
/// 5 s (reset after 10 s of good running). Output (stdout and stderr) is appended to its log file; the pid goes into
/// the ledger so a later <c>down</c> can kill it even if the supervisor died.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(10);

    private readonly ChildSpec _spec;
    private readonly Ledger? _ledger;
    private readonly Action<string>? _echo;
    private readonly Action _changed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Process? _process;

    public ChildProcess(ChildSpec spec, Ledger? ledger, Action changed, Action<string>? echo = null)
    {
        _spec = spec;
        _ledger = ledger;
        _changed = changed;
        _echo = echo;
        Directory.CreateDirectory(Path.GetDirectoryName(spec.LogFile)!);
        _loop = Task.Run(RunAsync);
    }

    public string Name => _spec.Name;
    public int? Pid { get; private set; }
    public bool Running { get; private set; }
    public int Restarts { get; private set; }
    public string? LastExit { get; private set; }

    private async Task RunAsync()
    {
        var backoff = FirstBackoff;
        while (!_stop.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            try
            {
                await RunOnceAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LastExit = $"could not start: {e.Message}";
                Log($"[supervisor] {LastExit}");
            }
            Running = false;
            Pid = null;
            _changed();
            if (_stop.IsCancellationRequested) break;
            if (DateTime.UtcNow - started > StableAfter) backoff = FirstBackoff;
            try { await Task.Delay(backoff, _stop.Token); } catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            Restarts++;
        }
    }

    private async Task RunOnceAsync()
    {
        var start = new ProcessStartInfo(_spec.Program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = _spec.WorkingDirectory,
        };
        foreach (var arg in _spec.Args) start.ArgumentList.Add(arg);
        if (!_spec.InheritEnvironment)
        {
            // A container sees only its own env (plus what is needed to find programs), not the supervisor's.
            var keep = start.Environment.Where(e => e.Key is "PATH" or "HOME" or "DOTNET_ROOT" or "LANG" or "TMPDIR").ToList();
            start.Environment.Clear();
            foreach (var (key, value) in keep) start.Environment[key] = value;
        }
        foreach (var (key, value) in _spec.Environment) start.Environment[key] = value;

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Log(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Log(e.Data); };
        process.Start();
        _process = process;
        if (_stop.IsCancellationRequested) process.Kill(entireProcessTree: true); // StopAsync ran while we started
        process.StandardInput.Close();
        Pid = process.Id;
        if (Posix.StartTime(process.Id) is { } startTime)
            _ledger?.Record(new LedgerEntry(LedgerEntry.Process, process.Id.ToString(CultureInfo.InvariantCulture), startTime));
        Running = true;
        _changed();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(CancellationToken.None);
        _process = null;
        LastExit = $"exit code {process.ExitCode.ToString(CultureInfo.InvariantCulture)} at {DateTime.Now:HH:mm:ss}";
        if (!_stop.IsCancellationRequested) Log($"[supervisor] {_spec.Name} exited ({LastExit}); restarting");
    }

    private readonly object _logGate = new();

    private void Log(string line)
    {
        lock (_logGate)
        {
            try { File.AppendAllText(_spec.LogFile, line + "\n"); }
            catch (IOException) { }
        }
        _echo?.Invoke($"[{_spec.Name}] {line}");
    }

    /// <summary>SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL; no restart afterwards.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _stop.Cancel();
        if (_process is { } process && !process.HasExited)
        {
            Posix.Signal(process.Id, Posix.SIGTERM);
            using var timeout = new CancellationTokenSource(grace);
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
            catch (InvalidOperationException) { }
        }
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
