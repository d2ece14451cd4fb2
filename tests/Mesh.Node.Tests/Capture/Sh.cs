using System.Diagnostics;

namespace Mesh.Node.Tests.Capture;

/// <summary>Runs a command for test setup; failures throw with the command and its stderr.</summary>
internal static class Sh
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task<string> RunAsync(params string[] argv)
    {
        var (exit, stdout, stderr) = await TryRunAsync(argv);
        if (exit != 0)
            throw new InvalidOperationException($"'{string.Join(' ', argv)}' exited with {exit}: {stderr.Trim()}");
        return stdout;
    }

    public static async Task<(int Exit, string Stdout, string Stderr)> TryRunAsync(params string[] argv)
    {
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in argv.Skip(1))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(Deadline);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', argv)}' did not finish within {Deadline}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>iptables-save without the timestamped comment lines (and with counters zeroed).</summary>
    public static async Task<string> IptablesSaveAsync(string netns)
    {
        var save = await RunAsync("ip", "netns", "exec", netns, "iptables-save");
        return string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#'))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\[\d+:\d+\]$", "[0:0]")));
    }

    /// <summary>The netns's policy routing: rules and table 100 (empty when the table does not exist).</summary>
    public static async Task<string> RoutingAsync(string netns)
    {
        var rules = await RunAsync("ip", "-n", netns, "rule", "show");
        var table = await TryRunAsync("ip", "-n", netns, "route", "show", "table", "100");
        return rules + "--- table 100\n" + (table.Exit == 0 ? table.Stdout : "");
    }
}
