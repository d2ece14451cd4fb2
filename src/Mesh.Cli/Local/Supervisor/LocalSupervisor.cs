using System.Globalization;
using System.Net.Http.Json;
using Mesh.Cli.Local.Network;
using Mesh.Cli.Local.Pods;
using Mesh.Cli.Local.Tls;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Local.Supervisor;

/// <summary>
/// The local mesh's supervisor: one mesh-control and N mesh-node members as restarted child processes, pods realised
/// from the control's desired state, the ZDS socket for the ztunnels (root), and <c>status.json</c> kept current.
/// Runs until cancelled, then stops everything and replays the ledger.
/// </summary>
public sealed class LocalSupervisor(LocalSettings settings, Action<string>? echo = null)
{

    private readonly LocalLayout _layout = settings.Layout;
    private readonly List<(ChildProcess Process, string Role, int Port, int AdminPort, ZtunnelPortSet? Ztunnel)> _members = [];
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly DateTime _started = DateTime.UtcNow;
    private Dictionary<int, string> _clusterStatus = [];
    private Dictionary<string, bool> _portsOpen = new(StringComparer.Ordinal);
    private string _lastStatusJson = "";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_layout.Logs);
        using var lockFile = LockFile.Acquire(_layout.LockFile);
        var ledger = new Ledger(_layout.Ledger);
        var host = new LinuxHostResources(CommandRunner.Instance);
        foreach (var error in ledger.Replay(host)) Log($"cleanup of a previous run: {error}");

        var binaries = Binaries.ForThisProcess(settings.BinDir);
        ZdsServer? zds = null;
        PodNetwork? network = null;
        if (settings.NetworkNamespaces)
        {
            zds = new ZdsServer(_layout.ZdsSocket, Wake, Log);
            zds.Start();
            network = new PodNetwork(CommandRunner.Instance, ledger);
        }
        var pods = new PodManager(settings, binaries, ledger, network, host, zds, Wake, Log, echo);
        try
        {
            StartMembers(binaries, ledger);
            var watcher = new DesiredWatcher(settings.ControlAdminPort, pods.ApplyAsync, Log);
            var watch = watcher.RunAsync(ct);
            await ProbeLoopAsync(pods, zds, ct);
            await watch;
        }
        finally
        {
            Log("stopping");
            await pods.StopAllAsync();
            // Nodes before the control, so the cluster sees them leave rather than fail.
            foreach (var member in Enumerable.Reverse(_members)) await member.Process.StopAsync(TimeSpan.FromSeconds(10));
            if (zds is not null) await zds.DisposeAsync();
            foreach (var error in ledger.Replay(host)) Log($"cleanup: {error}");
            File.Delete(_layout.Status);
            Log("stopped");
        }
        return 0;
    }

    private void StartMembers(Binaries binaries, Ledger ledger)
    {
        var seed = $"--Mesh:Seeds:0=127.0.0.1:{settings.RemotingBase}";
        var common = new[] { seed, "--Mesh:DownAfter=00:00:05" };
        using var ca = PrepareMemberCa();
        var controlArgs = new List<string>
        {
            binaries.Control, "--Mesh:Name=control-0", $"--Mesh:Port={settings.RemotingBase}", $"--Mesh:AdminPort={settings.AdminBase}",
            $"--Mesh:Control:Manifests={Path.GetFullPath(settings.Manifests)}", $"--Mesh:Control:Nodes={string.Join(',', settings.NodeNames)}",
            $"--Mesh:Ca:StateDir={_layout.CaDir}",
        };
        if (!settings.NetworkNamespaces) controlArgs.Add($"--Mesh:Control:PodCidrPrefix={LocalSettings.LoopbackPodPrefix}");
        StartMember("control-0", "control", settings.RemotingBase, settings.AdminBase, [.. controlArgs, .. common, .. MemberTlsArgs(ca, "control-0", "control")], ledger);

        var nodeDll = binaries.Node;
        for (var i = 0; i < settings.Nodes; i++)
        {
            var name = settings.NodeNames[i];
            var args = new List<string> { nodeDll, $"--Mesh:Name={name}", $"--Mesh:Port={settings.RemotingBase + 1 + i}", $"--Mesh:AdminPort={settings.AdminBase + 1 + i}" };
            if (settings.NetworkNamespaces) args.Add($"--Mesh:Node:ZdsSocket={_layout.ZdsSocket}");
            else args.Add($"--Mesh:Node:Socks5Port={settings.SocksBase + i}"); // no capture without root: SOCKS5 instead
            args.Add($"--Mesh:Node:StateCache={_layout.NodeStateCache(name)}");
            args.Add($"--Mesh:Node:CertificateCache={_layout.NodeCertificateCache(name)}");
            // Several ztunnels share this host: each gets its own admin/stats/readiness ports, on loopback.
            var ztunnel = settings.ZtunnelPorts(i);
            args.AddRange([$"--Mesh:Node:Ports:Admin={ztunnel.Admin}", $"--Mesh:Node:Ports:Stats={ztunnel.Stats}",
                $"--Mesh:Node:Ports:Readiness={ztunnel.Readiness}", "--Mesh:Node:Ports:StatsBind=127.0.0.1",
                "--Mesh:Node:Ports:ReadinessBind=127.0.0.1"]);
            StartMember(name, "node", settings.RemotingBase + 1 + i, settings.AdminBase + 1 + i, [.. args, .. common, .. MemberTlsArgs(ca, name, "node")], ledger, ztunnel);
        }
    }

    /// <summary>
    /// The member CA is kept across runs (so a member restarted by hand still trusts the others); member
    /// certificates are issued afresh on every <c>local up</c>, so none outlives a run by much.
    /// </summary>
    private MemberCa PrepareMemberCa()
    {
        PrivateFiles.CreateDirectory(_layout.TlsDir);
        var ca = MemberCa.LoadOrCreate(_layout.MemberCaCert, _layout.MemberCaKey);
        Log($"member CA {ca.Certificate.Thumbprint} (valid until {ca.Certificate.NotAfter:yyyy-MM-dd}) in {_layout.TlsDir}");
        return ca;
    }

    private string[] MemberTlsArgs(MemberCa ca, string name, string role)
    {
        ca.IssueTo(name, role, _layout.MemberCert(name), _layout.MemberKey(name));
        return
        [
            $"--Mesh:Tls:Certificate={_layout.MemberCert(name)}", $"--Mesh:Tls:Key={_layout.MemberKey(name)}",
            $"--Mesh:Tls:TrustBundle={_layout.MemberCaCert}",
        ];
    }

    private void StartMember(string name, string role, int port, int admin, IReadOnlyList<string> args, Ledger ledger, ZtunnelPortSet? ztunnel = null)
    {
        var spec = new ChildSpec(name, Binaries.DotnetHost, args, new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
            "/", Path.Combine(_layout.Logs, name + ".log"), InheritEnvironment: true);
        _members.Add((new ChildProcess(spec, ledger, Wake, echo), role, port, admin, ztunnel));
    }

    private void Wake() => _wake.Release();

    /// <summary>Every second, or sooner when something changed: cluster view, port probes, status.json.</summary>
    private async Task ProbeLoopAsync(PodManager pods, ZdsServer? zds, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var nextProbe = DateTime.MinValue;
        while (!ct.IsCancellationRequested)
        {
            if (DateTime.UtcNow >= nextProbe)
            {
                await ProbeClusterAsync(http);
                await ProbePortsAsync(pods);
                nextProbe = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            }
            WriteStatus(pods, zds);
            try { await _wake.WaitAsync(TimeSpan.FromSeconds(1), ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task ProbeClusterAsync(HttpClient http)
    {
        try
        {
            var view = await http.GetFromJsonAsync<ClusterView>($"http://127.0.0.1:{settings.AdminBase}{AdminRoutes.Cluster}", AdminJson.Options);
            _clusterStatus = (view?.Members ?? []).ToDictionary(
                m => int.Parse(m.Address[(m.Address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture),
                m => m.Reachable ? m.Status : $"{m.Status} (unreachable)");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or FormatException)
        {
            _clusterStatus = [];
        }
    }

    private async Task ProbePortsAsync(PodManager pods)
    {
        var open = new Dictionary<string, bool>(StringComparer.Ordinal);
        var probes = pods.Pods.Where(p => p.Failure is null && p.Containers.All(c => c.Running))
            .SelectMany(p => p.Pod.Containers.SelectMany(c => c.Ports).Where(port => port.Protocol == "TCP")
                .Select(port => (Key: $"{p.Pod.Uid}:{port.ContainerPort}", p.Pod.Ip, port.ContainerPort)))
            .ToList();
        var results = await Task.WhenAll(probes.Select(p => PortProbe.AcceptsAsync(p.Ip, p.ContainerPort, TimeSpan.FromMilliseconds(500))));
        for (var i = 0; i < probes.Count; i++) open[probes[i].Key] = results[i];
        _portsOpen = open;
    }

    private void WriteStatus(PodManager pods, ZdsServer? zds)
    {
        var members = _members.Select(m => new MemberStatus(m.Process.Name, m.Role, m.Process.Pid, m.Process.Running, m.Process.Restarts,
            _clusterStatus.GetValueOrDefault(m.Port, m.Process.Running ? "joining" : "down"), m.AdminPort, m.Process.LastExit, m.Ztunnel)).ToList();
        var podStatus = pods.Pods.Select(p => PodStatusOf(p, zds)).ToList();
        var desired = pods.Desired;
        var services = (desired?.Services ?? []).Select(s => new ServiceStatus(s.Namespace, s.Name, s.Addresses.FirstOrDefault() ?? "",
            s.Ports, s.Endpoints ?? [])).ToList();
        var status = new LocalStatus(Environment.ProcessId, settings.NetworkNamespaces ? LocalStatus.NetnsMode : LocalStatus.LoopbackMode,
            Path.GetFullPath(settings.StateDir), Path.GetFullPath(settings.Manifests), $"127.0.0.1:{settings.AdminBase}",
            desired?.Generation ?? 0, desired?.ManifestErrors ?? 0, members, podStatus, services, [], DateTimeOffset.MinValue,
            settings.NetworkNamespaces ? null : $"127.0.0.1:{settings.SocksBase}");
        var json = System.Text.Json.JsonSerializer.Serialize(status, AdminJson.Options);
        if (json == _lastStatusJson) return;
        _lastStatusJson = json;
        (status with { UpdatedAt = DateTimeOffset.UtcNow }).WriteAtomically(_layout.Status);
    }

    private PodStatus PodStatusOf(PodRuntime runtime, ZdsServer? zds)
    {
        var pod = runtime.Pod;
        var containers = runtime.Containers.Select(c => new ContainerStatus(c.Name.Split('/')[^1], c.Pid, c.Running, c.Restarts, c.LastExit)).ToList();
        string message;
        var ready = false;
        if (runtime.Failure is not null) message = runtime.Failure;
        else if (!runtime.Containers.All(c => c.Running)) message = "starting containers" + (containers.Any(c => c.Restarts > 0) ? " (restarting; see logs)" : "");
        // An ambient pod is never Ready uncaptured (its traffic would bypass the mesh): like Istio's CNI, wait for the ack.
        else if (pod.Ambient && zds is not null && !zds.IsAcked(pod.Uid))
            message = zds.AckError(pod.Uid) is { } error ? $"ztunnel could not capture: {error}" : $"waiting for {pod.Node}'s ztunnel";
        else if (pod.Containers.SelectMany(c => c.Ports).Where(p => p.Protocol == "TCP")
                     .FirstOrDefault(p => !_portsOpen.GetValueOrDefault($"{pod.Uid}:{p.ContainerPort}")) is { } closed)
            message = $"waiting for port {closed.ContainerPort}";
        else
        {
            ready = true;
            message = pod.Ambient && zds is null ? "running without capture (needs root)" : "running";
        }
        return new PodStatus(pod.Namespace, pod.Name, pod.Uid, pod.Ip, pod.Node, pod.Ambient, ready, runtime.Failure is not null, message, containers);
    }

    private void Log(string line)
    {
        var text = $"{DateTime.Now:HH:mm:ss} {line}";
        try { File.AppendAllText(_layout.SupervisorLog, text + "\n"); } catch (IOException) { }
        echo?.Invoke($"[supervisor] {line}");
    }
}
