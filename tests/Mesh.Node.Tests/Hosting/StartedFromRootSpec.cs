using System.Diagnostics;
using Mesh.Testing;

namespace Mesh.Node.Tests.Hosting;

/// <summary>
/// A member started with "/" as its working directory — a container's default WORKDIR, and how the local supervisor
/// starts members — must not watch the file system: ASP.NET Core's default content root is the working directory, and
/// its reload-on-change for appsettings.json would put an inotify watch on every directory under it (38,000 on the CI
/// box per web host: the member's and each of the ztunnel's 15000/15020/15021 servers; seconds of CPU a restarted
/// ztunnel spent while its pods had no proxy, and ztunnel ports that had not come up 13 s after start on a loaded box).
/// Read off the real binary's /proc/PID/fdinfo once all four hosts answer, by the test.
/// </summary>
public class StartedFromRootSpec
{
    [Fact]
    public async Task A_ztunnel_started_from_the_root_directory_watches_almost_nothing()
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "mesh-node.dll");
        var (admin, stats, readiness) = (FreePort(), FreePort(), FreePort());
        using var process = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                binary, "--Mesh:Port=0", "--Mesh:AdminPort=0", $"--Mesh:Node:Ports:Admin={admin}", $"--Mesh:Node:Ports:Stats={stats}",
                $"--Mesh:Node:Ports:Readiness={readiness}", "--Mesh:Node:Ports:StatsBind=127.0.0.1",
                "--Mesh:Node:Ports:ReadinessBind=127.0.0.1", "--Mesh:Node:Socks5Port=0",
            },
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            output.Enqueue(e.Data);
            if (e.Data.Contains("mesh-node", StringComparison.Ordinal) && e.Data.Contains(" started:", StringComparison.Ordinal)) started.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var done = await Task.WhenAny(started.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(done == started.Task, $"mesh-node did not start:\n{string.Join('\n', output)}");
            // The ztunnel's own servers start in the background: wait until each answers (any status) before counting.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            foreach (var (port, path) in new[] { (admin, "/config_dump"), (stats, "/metrics"), (readiness, "/healthz/ready") })
            {
                await Eventually.Until(async () =>
                {
                    try { return (await http.GetAsync($"http://127.0.0.1:{port}{path}")).StatusCode > 0; }
                    catch (HttpRequestException) { return false; }
                    catch (TaskCanceledException) { return false; }
                }, up => up, TimeSpan.FromSeconds(60), () => $"port {port} ({path}) answering\n{string.Join('\n', output)}");
            }
            var watches = InotifyWatches(process.Id);
            Assert.True(watches < 500, $"{watches} inotify watches after start (the file system under / is being watched)");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Every inotify watch the process holds: one "inotify wd:" line per watch in the fdinfo of its inotify fds.</summary>
    private static int InotifyWatches(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fdinfo").Sum(info =>
        {
            try { return File.ReadLines(info).Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal)); }
            catch (IOException) { return 0; } // the fd closed while we read
        });
}
