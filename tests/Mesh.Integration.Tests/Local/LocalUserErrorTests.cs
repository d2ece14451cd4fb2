using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Integration.Tests.Harness;

namespace Mesh.Integration.Tests.Local;

/// <summary>Mistakes a user can make with <c>meshctl local</c>: one clear line, a non-zero exit, nothing left behind.</summary>
public sealed class LocalUserErrorTests
{
    private static string LastLine(string output) => output.Trim().Split('\n')[^1];

    [Fact]
    public async Task A_missing_manifest_directory_is_refused()
    {
        await using var mesh = LocalMesh.FromQuickstart();
        var up = await mesh.MeshctlAsync("local", "up", "-f", "/nonexistent/manifests");
        Assert.Equal(1, up.ExitCode);
        Assert.Equal("meshctl: manifest directory '/nonexistent/manifests' does not exist", up.Output.Trim());
    }

    [RootFact]
    public async Task Broken_yaml_refuses_the_start_naming_file_and_line_and_leaves_nothing()
    {
        var before = HostSnapshot.Take();
        await using var mesh = LocalMesh.FromQuickstart();
        File.WriteAllText(Path.Combine(mesh.Manifests, "broken.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n");
        var up = await mesh.MeshctlAsync("local", "up", "-f", mesh.Manifests, "--remoting-port", $"{mesh.RemotingBase}", "--admin-port", $"{mesh.AdminBase}");
        Assert.Equal(1, up.ExitCode);
        Assert.StartsWith("meshctl: broken.yaml document 0", LastLine(up.Output));
        Assert.Matches(@"\(line \d+\)", LastLine(up.Output));
        Assert.Equal(before, HostSnapshot.Take());
    }

    [Fact]
    public async Task A_port_in_use_is_named()
    {
        await using var mesh = LocalMesh.FromQuickstart();
        using var squatter = new TcpListener(IPAddress.Loopback, mesh.AdminBase);
        squatter.Start();
        var up = await mesh.MeshctlAsync("local", "up", "-f", mesh.Manifests, "--remoting-port", $"{mesh.RemotingBase}", "--admin-port", $"{mesh.AdminBase}");
        Assert.Equal(1, up.ExitCode);
        Assert.Contains($"port {mesh.AdminBase} is already in use", LastLine(up.Output));
    }

    /// <summary>Without root: loopback pod addresses, no capture, one warning line — and it works.</summary>
    [RootFact]
    public async Task Without_root_pods_get_loopback_addresses_and_a_clear_warning()
    {
        await using var mesh = LocalMesh.FromQuickstart();
        var home = Directory.CreateTempSubdirectory("ma-nobody-").FullName;
        if (OperatingSystem.IsLinux())
            foreach (var dir in new[] { home, mesh.StateDir, mesh.Manifests }) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        try
        {
            var up = await AsNobody(home, "local", "up", "-f", mesh.Manifests, "--state-dir", mesh.StateDir, "--timeout", "90",
                "--remoting-port", $"{mesh.RemotingBase}", "--admin-port", $"{mesh.AdminBase}", "--socks-port", $"{mesh.SocksBase}",
                "--ztunnel-port", $"{mesh.ZtunnelBase}");
            Assert.True(up.ExitCode == 0, up.Output);
            Assert.Contains("transparent capture needs root", up.Output);
            Assert.Contains("Local mesh (loopback)", up.Output);
            var echoIp = up.Output.Split('\n').Single(l => l.StartsWith("demo ") && l.Contains("echo-") && l.Contains("node-0")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
            Assert.StartsWith("127.10.", echoIp);
            var curl = await AsNobody(home, "local", "exec", "-n", "demo", "client", "--state-dir", mesh.StateDir, "--",
                "curl", "-s", "--max-time", "5", $"http://{echoIp}:8080/loopback");
            Assert.True(curl.ExitCode == 0, curl.Output);
            Assert.Contains("\"path\": \"/loopback\"", curl.Output);

            // Without capture, clients use the ztunnel's SOCKS5: mesh names resolve and the service picks an endpoint.
            Assert.Contains($"--socks5-hostname 127.0.0.1:{mesh.SocksBase}", up.Output);
            var socks = await Eventually.Until(async () =>
                {
                    var (exit, output) = await AsNobody(home, "local", "exec", "-n", "demo", "client", "--state-dir", mesh.StateDir, "--",
                        "curl", "-s", "--max-time", "5", "--socks5-hostname", $"127.0.0.1:{mesh.SocksBase}", "http://echo.demo:8080/via-socks");
                    return exit == 0 ? output : "";
                }, output => output.Contains("\"path\": \"/via-socks\""), TimeSpan.FromSeconds(30), () => "curl through SOCKS5");
            Assert.Contains("\"pod\": \"echo-", socks);
        }
        finally
        {
            await AsNobody(home, "local", "down", "--state-dir", mesh.StateDir);
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> AsNobody(string home, params string[] args)
    {
        var start = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-u", "nobody", "--", "env", $"HOME={home}", $"DOTNET_CLI_HOME={home}", "dotnet", RepoPaths.Meshctl }.Concat(args))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout + await stderr);
    }
}
