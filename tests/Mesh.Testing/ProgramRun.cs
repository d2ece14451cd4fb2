using System.Diagnostics;

namespace Mesh.Testing;

/// <summary>What a program printed and how it ended.</summary>
public sealed record ProgramResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs one of our executables as a user would (<c>dotnet NAME.dll ARGS</c>, from the test's output folder where the
/// project reference put it) and waits for it to exit; a program still running at the deadline is killed and the
/// test fails saying so, never hangs.
/// </summary>
public static class ProgramRun
{
    public static async Task<ProgramResult> RunAsync(string dll, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{dll} {string.Join(' ', args)} was still running after {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s");
        }
        return new ProgramResult(process.ExitCode, await stdout, await stderr);
    }
}
