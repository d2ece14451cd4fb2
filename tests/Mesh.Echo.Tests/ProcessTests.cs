using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Mesh.Echo.Tests;

/// <summary>The real executable, configured through the environment like the supervisor does, stopped with SIGTERM.</summary>
public sealed partial class ProcessTests
{
    [Fact]
    public async Task Starts_from_environment_serves_and_exits_zero_on_sigterm()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "mesh-echo.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--port=1"); // HTTP_PORT takes precedence
        start.Environment["HTTP_PORT"] = "0";
        start.Environment["TCP_PORT"] = "0";
        start.Environment["BIND_ADDRESS"] = "127.0.0.1";
        start.Environment["POD_NAME"] = "echo-7";

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var banner = await process.StandardOutput.ReadLineAsync(timeout.Token);
            var match = BannerPattern().Match(banner ?? "");
            Assert.True(match.Success, $"unexpected first line: {banner}");

            using var client = new HttpClient();
            var body = await client.GetStringAsync($"http://127.0.0.1:{match.Groups["http"].Value}/from-process", timeout.Token);
            Assert.Equal("echo-7", Echo.Parse(body).GetProperty("pod").GetString());
            Assert.NotEqual("", match.Groups["tcp"].Value);

            Assert.Equal(0, Kill(process.Id, Sigterm));
            await process.WaitForExitAsync(timeout.Token);

            Assert.Equal(0, process.ExitCode);
            var rest = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            Assert.Contains("\"GET /from-process HTTP/1.1\" 200", rest);
            Assert.Equal("", await process.StandardError.ReadToEndAsync(timeout.Token)); // no framework noise
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"^mesh-echo listening on http://127\.0\.0\.1:(?<http>\d+) \(HTTP/1\.1 \+ h2c\), tcp://127\.0\.0\.1:(?<tcp>\d+)$")]
    private static partial Regex BannerPattern();
}
