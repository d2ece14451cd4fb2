using System.Diagnostics;

namespace Mesh.Node.Capture;

/// <summary>The result of one external command.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public CommandResult ThrowIfFailed() =>
        Succeeded ? this : throw new CaptureCommandException(Command, ExitCode, Stderr);
}

/// <summary>Runs commands inside a network namespace, given by name (<c>ip netns exec</c>) or path (<c>nsenter</c>).</summary>
internal static class CommandRunner
{
    /// <summary>The argv prefix that runs a command inside <paramref name="netns"/>.</summary>
    public static string[] NetnsPrefix(string netns)
    {
        ArgumentException.ThrowIfNullOrEmpty(netns);
        return netns.Contains('/') ? ["nsenter", $"--net={netns}", "--"] : ["ip", "netns", "exec", netns];
    }

    public static Task<CommandResult> RunInNetnsAsync(string netns, string stdin, CancellationToken ct, params string[] command) =>
        RunAsync([.. NetnsPrefix(netns), .. command], stdin, ct);

    public static async Task<CommandResult> RunAsync(IReadOnlyList<string> argv, string? stdin, CancellationToken ct)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in argv.Skip(1))
            start.ArgumentList.Add(arg);
        var commandLine = string.Join(' ', argv);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new CaptureCommandException(commandLine, -1, e.Message);
        }
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            try
            {
                if (!string.IsNullOrEmpty(stdin))
                    await process.StandardInput.WriteAsync(stdin.AsMemory(), ct);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command exited without reading its input (e.g. the netns is missing): report its exit and stderr.
            }
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        return new CommandResult(commandLine, process.ExitCode, await stdout, await stderr);
    }
}
