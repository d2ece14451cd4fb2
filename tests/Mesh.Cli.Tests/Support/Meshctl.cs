namespace Mesh.Cli.Tests.Support;

public sealed record CliResult(int ExitCode, string Out, string Err);

/// <summary>Runs the meshctl command tree in-process with captured output and a controlled environment.</summary>
public static class Meshctl
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, environment: null);

    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct = default, StringWriter? stdout = null)
    {
        stdout ??= new StringWriter();
        var stderr = new StringWriter();
        // Never the real environment: a developer's MESHCTL_ENDPOINT must not change test outcomes.
        environment ??= new Dictionary<string, string>();
        var code = await MeshctlApp.RunAsync(args, stdout, stderr, name => environment.GetValueOrDefault(name), ct);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A loopback port nothing listens on (bound and released), for "connection refused".</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
