using System.Diagnostics;
using System.Text.Json;
using Mesh.Cli.Local.Network;

namespace Mesh.Integration.Tests.Proofs;

/// <summary>What curl in a pod did, timed by the test (process start to exit).</summary>
internal sealed record CurlResult(int ExitCode, string Stdout, string Stderr, TimeSpan Took)
{
    /// <summary>The echo's JSON answer, or null when curl got none.</summary>
    public JsonElement? Answer => ExitCode == 0 && Stdout.Length > 0 ? JsonDocument.Parse(Stdout).RootElement : null;

    public override string ToString() =>
        $"exit {ExitCode} after {Took.TotalMilliseconds:0} ms: {Stderr.Trim()} {(Stdout.Length > 60 ? Stdout[..60].ReplaceLineEndings(" ") + "…" : Stdout)}";
}

/// <summary>
/// curl run directly in a pod's netns (<c>ip netns exec</c>, as the pod's app would; not through meshctl, so the time is
/// curl's own and not a dotnet start-up).
/// </summary>
internal static class PodCurl
{
    public const int MaxSeconds = 15;

    public static async Task<CurlResult> GetAsync(string ns, string pod, string url)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", LocalNames.Netns(ns, pod), "curl", "-sS", "--max-time", $"{MaxSeconds}", url })
            start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(MaxSeconds + 30));
        await process.WaitForExitAsync(deadline.Token);
        return new CurlResult(process.ExitCode, stdout, await stderr, clock.Elapsed);
    }
}
