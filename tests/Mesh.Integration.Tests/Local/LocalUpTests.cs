using System.Diagnostics;
using System.Text.Json;
using Mesh.Cli.Local;
using Mesh.Integration.Tests.Harness;
using Mesh.Protocol.Admin;

namespace Mesh.Integration.Tests.Local;

/// <summary>
/// The whole of local mode as a user runs it: <c>meshctl local up</c> on a copy of examples/quickstart, status,
/// exec into the non-ambient pod, down — and nothing left on the host.
/// </summary>
public sealed class LocalUpTests : IDisposable
{
    private readonly string _manifests = Directory.CreateTempSubdirectory("ma-quickstart-").FullName;
    private readonly string _state = Directory.CreateTempSubdirectory("ma-state-").FullName;
    private readonly int _remoting = FreeRange(3);
    private readonly int _admin = FreeRange(3);

    [RootFact]
    public async Task Up_status_exec_down_leaves_no_residue()
    {
        var before = HostSnapshot.Take();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "examples", "quickstart")))
            File.Copy(file, Path.Combine(_manifests, Path.GetFileName(file)));
        var up = await Meshctl("local", "up", "-f", _manifests, "--nodes", "2", "--timeout", "120", "--remoting-port", $"{_remoting}", "--admin-port", $"{_admin}");
        Assert.True(up.ExitCode == 0, up.Output);
        Assert.Contains("try: meshctl local exec", up.Output);

        var status = await Meshctl("local", "status", "-o", "json");
        Assert.Equal(0, status.ExitCode);
        var view = JsonSerializer.Deserialize<LocalStatus>(status.Output, AdminJson.Options)!;
        Assert.Equal(LocalStatus.NetnsMode, view.Mode);
        Assert.All(view.Members, m => Assert.Equal("up", m.Cluster));
        Assert.Equal(4, view.Pods.Count);
        Assert.All(view.Pods, p => Assert.True(p.Ready, $"{p.Namespace}/{p.Name}: {p.Message}"));
        if (!OperatingSystem.IsWindows()) AssertMembersUseMemberTls(view);

        var echoPod = view.Pods.First(p => p.Name.StartsWith("echo-", StringComparison.Ordinal));
        var curl = await Meshctl("local", "exec", "-n", "legacy", "outsider", "--", "curl", "-s", "--max-time", "5", $"http://{echoPod.Ip}:8080/");
        Assert.True(curl.ExitCode == 0, curl.Output);
        Assert.NotEmpty(curl.Output);

        var unknown = await Meshctl("local", "exec", "-n", "legacy", "nobody", "--", "true");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("pod legacy/nobody not found", unknown.Output);

        var again = await Meshctl("local", "up", "-f", _manifests, "--remoting-port", $"{_remoting}", "--admin-port", $"{_admin}");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already running", again.Output);

        var down = await Meshctl("local", "down");
        Assert.True(down.ExitCode == 0, down.Output);
        Assert.Equal(before, HostSnapshot.Take());
        Assert.Equal(0, (await Meshctl("local", "down")).ExitCode);
    }

    /// <summary>The members joined over mutual TLS with certificates from the state dir's member CA, whose keys only the owner reads.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void AssertMembersUseMemberTls(LocalStatus view)
    {
        var layout = new LocalLayout(_state);
        var ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerOnly, File.GetUnixFileMode(layout.MemberCaKey));
        foreach (var member in view.Members)
        {
            Assert.Equal(ownerOnly, File.GetUnixFileMode(layout.MemberKey(member.Name)));
            var log = File.ReadAllText(Path.Combine(layout.Logs, member.Name + ".log"));
            Assert.Contains("listening on addresses : [akka.ssl.tcp://", log);
            Assert.DoesNotContain("Member TLS is OFF", log);
        }
    }

    private async Task<(int ExitCode, string Output)> Meshctl(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepoPaths.Meshctl);
        // --state-dir right after the verb: anything after "--" belongs to the exec'd command.
        foreach (var arg in args.Take(2).Concat(["--state-dir", _state]).Concat(args.Skip(2))) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout + await stderr);
    }

    /// <summary>A base port with <paramref name="count"/> free ports after it, away from the defaults.</summary>
    private static int FreeRange(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var start = Random.Shared.Next(20000, 60000);
            if (Enumerable.Range(start, count).All(Mesh.Cli.Local.Supervisor.PortProbe.IsFree)) return start;
        }
        throw new InvalidOperationException("no free port range");
    }

    public void Dispose()
    {
        // Whatever happened, leave nothing running or created.
        Meshctl("local", "down").GetAwaiter().GetResult();
        Directory.Delete(_manifests, recursive: true);
        Directory.Delete(_state, recursive: true);
    }
}
