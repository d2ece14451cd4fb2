using System.Diagnostics;

namespace Mesh.Cli.Tests;

/// <summary>The built executable, not just the in-process tree: proves Program.cs and the packaging output work.</summary>
public sealed class MeshctlBinaryTests
{
    [Fact]
    public async Task Help_exits_0_and_lists_the_verb_groups()
    {
        var start = new ProcessStartInfo(DotnetHost(), [MeshctlDll(), "--help"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("MESHCTL_ENDPOINT");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        var help = await stdout;
        Assert.Contains("meshctl [<HOST:PORT>] [command] [options]", help);
        Assert.Contains("cluster ", help);
        Assert.Contains("cluster-sharding", help);
        Assert.Contains("zc, ztunnel-config", help);
    }

    [Fact]
    public async Task Authz_check_offline_against_a_manifest_directory()
    {
        using var manifests = new Commands.Authz.AuthzManifests();
        var allowed = await RunAsync("x", "authz", "check", "-f", manifests.Path, "--from", "client/curl", "--to", "web.app:80", "-o", "json");
        var denied = await RunAsync("x", "authz", "check", "-f", manifests.Path, "--from", "legacy/old", "--to", "app/web", "--port", "8080");
        var unknown = await RunAsync("x", "authz", "check", "-f", manifests.Path, "--from", "client/ghost", "--to", "app/web:8080");

        Assert.True(allowed.Exit == 0, allowed.Err);
        Assert.Contains("\"decision\": \"ALLOW\"", allowed.Out);
        Assert.Contains("\"policy\": \"app/web-allow\"", allowed.Out);
        Assert.True(denied.Exit == 0, denied.Err);
        Assert.Contains("Decision:     DENY: denied: PeerAuthentication STRICT refuses plaintext", denied.Out);
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("meshctl: --from: no pod 'client/ghost' in the mesh state (pods in client: curl)", unknown.Err);
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost(), [MeshctlDll(), .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("MESHCTL_ENDPOINT");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>src/Mesh.Cli/bin/CONFIG/TFM/meshctl.dll, using this test assembly's own CONFIG/TFM.</summary>
    private static string MeshctlDll()
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = baseDir.Name;
        var config = baseDir.Parent!.Name;
        for (var dir = baseDir; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MeshActors.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", "Mesh.Cli", "bin", config, tfm, "meshctl.dll");
                if (File.Exists(dll)) return dll;
                break;
            }
        }

        // Fallback: the project reference copies meshctl.dll (and its runtimeconfig) next to the tests.
        var local = Path.Combine(AppContext.BaseDirectory, "meshctl.dll");
        Assert.True(File.Exists(local), $"meshctl.dll not found (looked in src/Mesh.Cli/bin/{config}/{tfm} and {AppContext.BaseDirectory})");
        return local;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
