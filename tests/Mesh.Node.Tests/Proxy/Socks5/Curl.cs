using Mesh.Testing;
using System.Diagnostics;

namespace Mesh.Node.Tests.Proxy.Socks5;

/// <summary>Runs the real curl binary, so the proxy is checked against a client it did not write itself.</summary>
internal static class Curl
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // -q (no ~/.curlrc) and no proxy variables: the environment of the test runner must not change the route.
        info.ArgumentList.Add("-q");
        info.ArgumentList.Add("--max-time");
        info.ArgumentList.Add("20");
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var variable in new[] { "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy" })
            info.Environment.Remove(variable);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("curl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(LoopbackPairs.Deadline);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
