using System.Diagnostics;
using Mesh.Cli.Local.Network;
using Mesh.Integration.Tests.Harness;
using Mesh.Protocol.Local;

namespace Mesh.Integration.Tests.Local;

/// <summary>Pod netns plumbing on the real host: two pods on two node bridges reach each other; the ledger leaves no residue.</summary>
public sealed class PodNetworkTests : IDisposable
{
    // Bridge indexes far from a user's mesh (node 200/201), and a namespace unique to this run.
    private readonly string _ns = "itest" + Guid.NewGuid().ToString("N")[..6];
    private readonly string _dir = Directory.CreateTempSubdirectory("ma-netns-").FullName;
    private readonly Ledger _ledger;
    private readonly List<Process> _processes = [];

    public PodNetworkTests() => _ledger = new Ledger(Path.Combine(_dir, "ledger.jsonl"));

    private LocalPod Pod(string name, string ip) =>
        new($"Kubernetes//Pod/{_ns}/{name}-{Guid.NewGuid():N}", _ns, name, "node-x", ip, false, "default", new Dictionary<string, string>(), []);

    [RootFact]
    public async Task Pods_on_two_bridges_reach_each_other_and_resolve_services_then_leave_nothing_behind()
    {
        var before = HostSnapshot.Take();
        var network = new PodNetwork(CommandRunner.Instance, _ledger);
        var client = Pod("client", "10.244.200.10");
        var server = Pod("server", "10.244.201.20");
        LocalService[] services = [new(_ns, "web", $"web.{_ns}.svc.cluster.local", ["10.96.200.1"], [8080])];
        network.CreatePod(client, services);
        network.CreatePod(server, services);

        var serverNetns = LocalNames.Netns(_ns, "server");
        _processes.Add(Process.Start(new ProcessStartInfo("ip", ["netns", "exec", serverNetns, "python3", "-m", "http.server", "8080", "--bind", server.Ip])
            { RedirectStandardOutput = true, RedirectStandardError = true })!);

        var clientNetns = LocalNames.Netns(_ns, "client");
        var code = await Eventually.Until(
            () => Task.FromResult(CommandRunner.Instance.Run("ip", "netns", "exec", clientNetns, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", $"http://{server.Ip}:8080/").Stdout),
            c => c == "200", TimeSpan.FromSeconds(20), () => "client curls server across bridges");
        Assert.Equal("200", code);

        var hosts = CommandRunner.Instance.Run("ip", "netns", "exec", clientNetns, "getent", "hosts", "web");
        Assert.True(hosts.Ok, hosts.Stderr);
        Assert.StartsWith("10.96.200.1", hosts.Stdout);

        // Services change: the hosts file is rewritten in place, visible to new lookups at once.
        PodNetwork.UpdateHosts(client, [services[0] with { Addresses = ["10.96.200.2"] }]);
        Assert.StartsWith("10.96.200.2", CommandRunner.Instance.Run("ip", "netns", "exec", clientNetns, "getent", "hosts", "web").Stdout);

        StopProcesses();
        Assert.Empty(_ledger.Replay(new LinuxHostResources(CommandRunner.Instance)));
        Assert.Equal(before, HostSnapshot.Take());
        Assert.Empty(_ledger.Replay(new LinuxHostResources(CommandRunner.Instance))); // twice is fine
    }

    private void StopProcesses()
    {
        foreach (var p in _processes)
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit();
            p.Dispose();
        }
        _processes.Clear();
    }

    public void Dispose()
    {
        StopProcesses();
        _ledger.Replay(new LinuxHostResources(CommandRunner.Instance)); // never leave netns/links behind, even on failure
        Directory.Delete(_dir, recursive: true);
    }
}
