using Mesh.Testing;
using System.Diagnostics;
using System.Net;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Server;
using static Mesh.Hbone.Tests.HboneTestBed;

namespace Mesh.Hbone.Tests.Interop;

/// <summary>Wire compatibility with an independent HTTP/2 stack (python-h2), both directions, real mutual TLS.</summary>
public sealed class PythonH2InteropSpec : IAsyncLifetime
{
    private readonly string _pemDir = Path.Combine(Path.GetTempPath(), "mesh-hbone-interop", Guid.NewGuid().ToString("n"));
    private HboneTestBed _bed = null!;

    public Task InitializeAsync()
    {
        _bed = new HboneTestBed();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _bed.DisposeAsync();
        Directory.Delete(_pemDir, recursive: true);
    }

    [PythonH2Fact]
    public async Task A_python_h2_client_tunnels_through_our_server()
    {
        var (cert, key, bundle, _) = _bed.ClientCertificate.WritePem(_pemDir);
        var (status, output, error) = await RunAsync(PythonH2.Start("h2_connect_client.py",
            "127.0.0.1", _bed.ServerEndPoint.Port.ToString(), cert, key, bundle, "10.244.1.7:8080", (1 << 20).ToString()));

        Assert.True(status == 0, $"python client exit {status}: {output} {error}");
        Assert.Contains("status=200", output, StringComparison.Ordinal);
        Assert.Contains($"peer={MeshPki.Server}", output, StringComparison.Ordinal);
        var admitted = Assert.Single(_bed.Handler.Admitted);
        Assert.Equal(MeshPki.Client, admitted.Peer);
        Assert.Equal(IPEndPoint.Parse("10.1.2.3:4567"), admitted.ForwardedFor);

        // A name as authority is refused with 400 (exit 2 from the script).
        (status, output, _) = await RunAsync(PythonH2.Start("h2_connect_client.py",
            "127.0.0.1", _bed.ServerEndPoint.Port.ToString(), cert, key, bundle, "httpbin:8080", "10"));
        Assert.Equal(2, status);
        Assert.Contains("status=400", output, StringComparison.Ordinal);
    }

    [PythonH2Fact]
    public async Task Our_pool_tunnels_through_a_python_h2_server()
    {
        var (cert, key, bundle, _) = _bed.ServerCertificate.WritePem(_pemDir);
        using var server = Process.Start(PythonH2.Start("h2_echo_server.py", cert, key, bundle))!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        try
        {
            var ready = await server.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
            if (ready?.StartsWith("ready ", StringComparison.Ordinal) != true)
            {
                server.Kill();
                Assert.Fail($"python server said '{ready}': {await server.StandardError.ReadToEndAsync()}");
            }
            _ = Task.Run(async () =>
            {
                while (await server.StandardOutput.ReadLineAsync() is { } line)
                    lines.Enqueue(line);
            });
            var request = _bed.Request("10.244.1.9:9080", clientPort: 45678) with
            {
                HboneEndpoint = new IPEndPoint(IPAddress.Loopback, int.Parse(ready![6..])),
            };

            // Several tunnels at once, large enough to need WINDOW_UPDATEs from python's 64 KiB windows.
            var payloads = Enumerable.Range(0, 4).Select(i =>
            {
                var p = new byte[700_000 + i];
                new Random(i).NextBytes(p);
                return p;
            }).ToArray();
            var echoes = await Task.WhenAll(payloads.Select(p => EchoThroughAsync(_bed.Pool, request, p)));

            for (var i = 0; i < payloads.Length; i++)
                Assert.Equal(payloads[i], echoes[i]);
            Assert.Equal(1, _bed.Pool.Snapshot().ConnectionsOpened);
            await EventuallyAsync(() => lines.Count >= 4, "python logged the requests");
            Assert.All(lines, line =>
            {
                Assert.Contains("request 10.244.1.9:9080 method=CONNECT path=None", line, StringComparison.Ordinal);
                Assert.Contains("forwarded=for=\"10.244.2.5:45678\"", line, StringComparison.Ordinal);
                Assert.Contains($"peer={MeshPki.Client}", line, StringComparison.Ordinal);
            });
        }
        finally
        {
            server.StandardInput.Close();
            if (!server.WaitForExit(5000))
                server.Kill();
        }
    }

    private static async Task<(int Status, string Output, string Error)> RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Deadline);
        return (process.ExitCode, await output, await error);
    }
}
