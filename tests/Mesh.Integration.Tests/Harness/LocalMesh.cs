using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Cli.Local;
using Mesh.Protocol.Admin;

namespace Mesh.Integration.Tests.Harness;

/// <summary>
/// A local mesh driven through the real meshctl binary, in its own state directory, manifest copy and port range,
/// so tests never touch a user's mesh. Disposing runs <c>local down</c> whatever happened.
/// </summary>
public sealed class LocalMesh : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private LocalMesh()
    {
        Manifests = Directory.CreateTempSubdirectory("ma-manifests-").FullName;
        StateDir = Directory.CreateTempSubdirectory("ma-state-").FullName;
        RemotingBase = FreeRange(4);
        AdminBase = FreeRange(4);
        SocksBase = FreeRange(3);
        // Node i's ztunnel admin/stats/readiness ports: base + 100·i + 0/20/21 (tests use up to 2 nodes).
        ZtunnelBase = FreeRange(LocalSettings.ZtunnelStride + 22);
    }

    public string Manifests { get; }
    public string StateDir { get; }
    public int RemotingBase { get; }
    public int AdminBase { get; }
    public int SocksBase { get; }
    public int ZtunnelBase { get; }

    /// <summary>Copies examples/quickstart into a fresh manifest directory (not started yet).</summary>
    public static LocalMesh FromQuickstart()
    {
        var mesh = new LocalMesh();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "examples", "quickstart")))
            File.Copy(file, Path.Combine(mesh.Manifests, Path.GetFileName(file)));
        return mesh;
    }

    /// <summary>A mesh of the given manifest files (name → YAML), written by the test into a fresh directory (not started yet).</summary>
    public static LocalMesh FromManifests(IReadOnlyDictionary<string, string> files)
    {
        var mesh = new LocalMesh();
        foreach (var (name, yaml) in files)
            File.WriteAllText(Path.Combine(mesh.Manifests, name), yaml);
        return mesh;
    }

    public async Task UpAsync(int nodes = 2)
    {
        var up = await MeshctlAsync("local", "up", "-f", Manifests, "--nodes", $"{nodes}", "--timeout", "120",
            "--remoting-port", $"{RemotingBase}", "--admin-port", $"{AdminBase}", "--ztunnel-port", $"{ZtunnelBase}");
        Assert.True(up.ExitCode == 0, $"local up failed:\n{up.Output}\n{SupervisorLog()}");
    }

    /// <summary>Runs meshctl with this mesh's state dir (inserted after the verb, before any "--").</summary>
    public async Task<(int ExitCode, string Output, string Stdout)> MeshctlAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepoPaths.Meshctl);
        foreach (var arg in args.Take(2).Concat(["--state-dir", StateDir]).Concat(args.Skip(2))) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, output + await stderr, output);
    }

    /// <summary>`local exec` of a command in a pod; returns exit code and stdout.</summary>
    public Task<(int ExitCode, string Output, string Stdout)> ExecAsync(string ns, string pod, params string[] command) =>
        MeshctlAsync(["local", "exec", "-n", ns, pod, "--", .. command]);

    public async Task<LocalStatus> StatusAsync()
    {
        var status = await MeshctlAsync("local", "status", "-o", "json");
        Assert.True(status.ExitCode == 0, status.Output);
        return JsonSerializer.Deserialize<LocalStatus>(status.Stdout, AdminJson.Options)!;
    }

    /// <summary>Waits until status satisfies a condition (pods Ready after an edit, a restart, …).</summary>
    public Task<LocalStatus> WaitForStatusAsync(Func<LocalStatus, bool> done, string what, TimeSpan? timeout = null) =>
        Eventually.Until(StatusAsync, done, timeout ?? TimeSpan.FromSeconds(60), () => what + "\n" + SupervisorLog());

    /// <summary>Pods captured by a node's ztunnel, with their connection counters.</summary>
    public async Task<IReadOnlyList<CapturedPodView>> CapturedPodsAsync(string node)
    {
        var status = await StatusAsync();
        var member = status.Members.Single(m => m.Name == node);
        try
        {
            return (await Http.GetFromJsonAsync<List<CapturedPodView>>($"http://127.0.0.1:{member.AdminPort}{AdminRoutes.CapturedPods}", AdminJson.Options))!;
        }
        catch (HttpRequestException e)
        {
            // Say why the ztunnel did not answer (crashed and restarted? still starting?) instead of a bare "refused".
            var again = await StatusAsync();
            var now = again.Members.Single(m => m.Name == node);
            throw new InvalidOperationException($"{node}'s command endpoint :{member.AdminPort} did not answer ({e.Message}); " +
                $"restarts {member.Restarts} -> {now.Restarts}, last exit {now.LastExit ?? "-"}\n--- {node} log (tail) ---\n" +
                string.Join('\n', MemberLog(node).Split('\n').TakeLast(60)) + "\n--- supervisor (tail) ---\n" +
                string.Join('\n', SupervisorLog().Split('\n').TakeLast(30)), e);
        }
    }

    /// <summary>Certificates held by a node's ztunnel (istioctl's zc certs view).</summary>
    public async Task<IReadOnlyList<CertificateView>> CertificatesAsync(string node)
    {
        var status = await StatusAsync();
        var member = status.Members.Single(m => m.Name == node);
        return (await Http.GetFromJsonAsync<List<CertificateView>>($"http://127.0.0.1:{member.AdminPort}{AdminRoutes.Certificates}", AdminJson.Options))!;
    }

    /// <summary>Waits until a node's ztunnel holds an Available SVID for exactly these identities (HBONE needs them).</summary>
    public Task WaitForSvidsAsync(string node, IReadOnlyCollection<string> identities, TimeSpan? timeout = null) =>
        Eventually.Until(() => CertificatesAsync(node),
            certs => certs.Where(c => c.Type == "leaf" && c.Status == "Available").Select(c => c.Name).Order(StringComparer.Ordinal)
                .SequenceEqual(identities.Order(StringComparer.Ordinal)),
            timeout ?? TimeSpan.FromSeconds(30), () => $"{node} holding SVIDs for [{string.Join(", ", identities)}]");

    /// <summary>A node's ztunnel admin view (<c>/config_dump</c> on its Istio 15000 port), as JSON.</summary>
    public async Task<JsonDocument> ConfigDumpAsync(string node, CancellationToken cancellationToken = default)
    {
        var status = await StatusAsync();
        var admin = status.Members.Single(m => m.Name == node).Ztunnel ?? throw new InvalidOperationException($"{node} reports no ztunnel ports");
        await using var body = await Http.GetStreamAsync($"http://127.0.0.1:{admin.Admin}/config_dump", cancellationToken);
        return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
    }

    /// <summary>Whether a node's ztunnel holds policy <c>ns/name</c> (in its <c>/config_dump</c>).</summary>
    public async Task<bool> NodeHasPolicyAsync(string node, string ns, string name)
    {
        using var dump = await ConfigDumpAsync(node);
        return dump.RootElement.GetProperty("policies").EnumerateArray()
            .Any(p => p.GetProperty("namespace").GetString() == ns && p.GetProperty("name").GetString() == name);
    }

    /// <summary>
    /// Writes a file into the watched manifest directory as an editor's "save" does, by rename: the watcher never reads half
    /// a file. Returns when the file is in place (the moment a user's edit is done).
    /// </summary>
    public string WriteManifest(string file, string yaml)
    {
        var path = Path.Combine(Manifests, file);
        // Outside the watched directory (so the watcher sees only the rename), on the same file system (both are temp dirs).
        var temp = Path.Combine(StateDir, $".{file}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, yaml);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    public string ContainerLog(string ns, string pod, string container)
    {
        var path = Path.Combine(StateDir, "logs", $"{ns}_{pod}_{container}.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public string MemberLog(string member)
    {
        var path = Path.Combine(StateDir, "logs", member + ".log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public string SupervisorLog()
    {
        var path = Path.Combine(StateDir, "logs", "supervisor.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(40)) : "(no supervisor log)";
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

    public async ValueTask DisposeAsync()
    {
        await MeshctlAsync("local", "down");
        Directory.Delete(Manifests, recursive: true);
        Directory.Delete(StateDir, recursive: true);
    }
}
