using System.Net.Http.Json;
using Mesh.Protocol.Admin;

namespace Mesh.Integration.Tests.Harness;

/// <summary>
/// A real multi-process mesh on loopback: control and node members as separate OS processes, seeded from the
/// first control member, reading a temporary manifest directory. Failure detection is tuned down so that a
/// killed member is downed within seconds.
/// </summary>
public sealed class MeshCluster : IAsyncDisposable
{
    private readonly List<MeshProcess> _members = [];
    private readonly List<int> _seedPorts = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <param name="certificates">When given, every member gets a certificate from this member CA (mutual TLS).</param>
    /// <param name="controlArgs">Extra switches for every control member.</param>
    public MeshCluster(string nodes = "node-a,node-b", MemberCertificates? certificates = null, params string[] controlArgs)
    {
        Nodes = nodes;
        Certificates = certificates;
        ManifestDir = Directory.CreateTempSubdirectory("mesh-manifests-").FullName;
        CaDir = Directory.CreateTempSubdirectory("mesh-ca-").FullName;
        _controlArgs = controlArgs;
    }

    private readonly string[] _controlArgs;

    /// <summary>Shared by every control member of this cluster, so they all sign with the same root.</summary>
    public string CaDir { get; }

    public string ManifestDir { get; }
    public MemberCertificates? Certificates { get; }
    public string Nodes { get; }
    public IReadOnlyList<MeshProcess> Members => _members;

    public void WriteManifest(string fileName, string yaml) =>
        File.WriteAllText(Path.Combine(ManifestDir, fileName), yaml);

    /// <summary>Reserves remoting ports for the control members up front so every member knows all seeds.</summary>
    public void PlanSeeds(int controlMembers)
    {
        for (var i = 0; i < controlMembers; i++) _seedPorts.Add(FreePorts.Next());
    }

    public MeshProcess StartControl(string name)
    {
        var index = _members.Count(m => m.Name.StartsWith("control", StringComparison.Ordinal));
        var port = index < _seedPorts.Count ? _seedPorts[index] : FreePorts.Next();
        return Start(name, RepoPaths.Control, port,
            [$"--Mesh:Control:Manifests={ManifestDir}", $"--Mesh:Control:Nodes={Nodes}", "--Mesh:Control:EntityAskInterval=00:00:01",
             $"--Mesh:Ca:StateDir={CaDir}", .. _controlArgs],
            Certificates?.Issue(name, "control"));
    }

    public MeshProcess StartNode(string nodeName, params string[] extra) =>
        StartNode(nodeName, Certificates?.Issue(nodeName, "node"), extra);

    /// <summary>A node started with exactly these TLS files (null: plaintext), whatever the cluster uses.</summary>
    /// <remarks>Every node gets its own free admin/stats/readiness ports (the defaults 15000/15020/15021 would collide).</remarks>
    public MeshProcess StartNode(string nodeName, MemberTlsFiles? tls, params string[] extra)
    {
        var ports = new ZtunnelPorts(FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var process = Start(nodeName, RepoPaths.Node, FreePorts.Next(), [.. ports.Args, .. extra], tls);
        process.Ztunnel = ports;
        return process;
    }

    private MeshProcess Start(string name, string dll, int port, string[] extra, MemberTlsFiles? tls)
    {
        if (_seedPorts.Count == 0) _seedPorts.Add(port);
        var admin = FreePorts.Next();
        var args = new List<string>
        {
            $"--Mesh:Name={name}", $"--Mesh:Port={port}", $"--Mesh:AdminPort={admin}",
            "--Mesh:DownAfter=00:00:04", "--Mesh:FailureDetectionPause=00:00:03",
        };
        args.AddRange(_seedPorts.Select((p, i) => $"--Mesh:Seeds:{i}=127.0.0.1:{p}"));
        args.AddRange(extra);
        if (tls is not null) args.AddRange(tls.Args);
        var process = new MeshProcess(name, dll, args, port, admin, tls is null ? "akka.tcp" : "akka.ssl.tcp");
        _members.Add(process);
        return process;
    }

    public async Task<T> GetAsync<T>(MeshProcess member, string route) =>
        (await _http.GetFromJsonAsync<T>($"http://{member.AdminEndpoint}{route}", AdminJson.Options))!;

    public Task<ClusterView> ClusterAsync(MeshProcess via) => GetAsync<ClusterView>(via, AdminRoutes.Cluster);

    public Task<NodeStateView> NodeStateAsync(MeshProcess node) => GetAsync<NodeStateView>(node, AdminRoutes.NodeState);

    public Task<List<CertificateView>> CertificatesAsync(MeshProcess node) => GetAsync<List<CertificateView>>(node, AdminRoutes.Certificates);

    /// <summary>Waits until <paramref name="via"/> sees exactly these members Up and reachable.</summary>
    public Task<ClusterView> WaitForUpAsync(MeshProcess via, IReadOnlyCollection<MeshProcess> expected, TimeSpan timeout) =>
        Eventually.Until(() => ClusterAsync(via),
            v => v.Members.Count == expected.Count && expected.All(e =>
                v.Members.Any(m => m.Address == e.Address && m.Status == "up" && m.Reachable)),
            timeout, () => $"members {string.Join(", ", expected.Select(e => e.Name))} up, seen by {via.Name}\n{Logs()}");

    /// <summary>Watches <paramref name="via"/>'s view for <paramref name="duration"/>: <paramref name="outsider"/> must never be in it.</summary>
    public Task NeverJoinsAsync(MeshProcess via, MeshProcess outsider, TimeSpan duration) =>
        Eventually.Never(() => ClusterAsync(via), v => v.Members.Any(m => m.Address == outsider.Address), duration,
            () => $"{outsider.Name} joined the cluster seen by {via.Name}\n{Logs()}");

    public Task<NodeStateView> WaitForPodsAsync(MeshProcess node, IReadOnlyCollection<string> podNames, TimeSpan timeout) =>
        Eventually.Until(() => NodeStateAsync(node),
            v => v.Synced && v.Slice.Workloads.Select(w => w.Name).Order().SequenceEqual(podNames.Order()),
            timeout, () => $"{node.Name} holding exactly pods [{string.Join(", ", podNames)}]\n{Logs()}");

    public string Logs() => string.Join("\n", _members.Select(m =>
        $"----- {m.Name} ({(m.HasExited ? "exited" : "running")}) -----\n{Tail(m.Output, 60)}"));

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members) member.Dispose();
        _http.Dispose();
        try { Directory.Delete(ManifestDir, recursive: true); } catch (IOException) { }
        try { Directory.Delete(CaDir, recursive: true); } catch (IOException) { }
        await Task.CompletedTask;
    }
}
