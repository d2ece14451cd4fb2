using System.Globalization;
using Mesh.Cli.Local.Network;
using Mesh.Cli.Local.Supervisor;
using Mesh.Protocol.Local;
using Mesh.Protocol.Zds;

namespace Mesh.Cli.Local.Pods;

/// <summary>
/// Kubelet + CNI of local mode: realises desired pods (netns and veth as root, processes always), hands ambient pods
/// to the ztunnels over ZDS, keeps /etc/netns hosts files current, and takes it all down again.
/// </summary>
public sealed class PodManager(
    LocalSettings settings,
    Binaries binaries,
    Ledger ledger,
    PodNetwork? network,
    IHostResources host,
    ZdsServer? zds,
    Action changed,
    Action<string> log,
    Action<string>? echo)
{
    private readonly SemaphoreSlim _apply = new(1, 1);
    private readonly object _gate = new();
    private readonly Dictionary<string, PodRuntime> _pods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _notedImages = new(StringComparer.Ordinal);
    private IReadOnlyList<LocalService> _services = [];

    public LocalDesiredState? Desired { get; private set; }

    public IReadOnlyList<PodRuntime> Pods
    {
        get { lock (_gate) return _pods.Values.OrderBy(p => p.Pod.Namespace, StringComparer.Ordinal).ThenBy(p => p.Pod.Name, StringComparer.Ordinal).ToList(); }
    }

    public async Task ApplyAsync(LocalDesiredState desired)
    {
        await _apply.WaitAsync();
        try
        {
            List<LocalPod> current;
            lock (_gate) current = _pods.Values.Select(p => p.Pod).ToList();
            var changes = DesiredDiff.Compute(current, _services, desired);
            Desired = desired;
            _services = desired.Services;
            if (changes.IsEmpty) { changed(); return; }
            log($"desired generation {desired.Generation}: +{changes.Added.Count} -{changes.Removed.Count} ~{changes.Recreated.Count + changes.Updated.Count} pods{(changes.ServicesChanged ? ", services changed" : "")}");

            foreach (var pod in changes.Removed.Concat(changes.Recreated.Select(r => r.Old))) await DeleteAsync(pod);
            foreach (var (_, pod) in changes.Updated)
            {
                lock (_gate) _pods[pod.Uid].Pod = pod;
                HandOver(pod);
            }
            foreach (var pod in changes.Added.Concat(changes.Recreated.Select(r => r.New))) Create(pod);
            if (changes.ServicesChanged && network is not null)
                foreach (var runtime in Pods) PodNetwork.UpdateHosts(runtime.Pod, _services);
            changed();
        }
        finally
        {
            _apply.Release();
        }
    }

    private void Create(LocalPod pod)
    {
        var runtime = new PodRuntime(pod);
        lock (_gate) _pods[pod.Uid] = runtime;
        try
        {
            if (pod.Ip.Length == 0) throw new LocalModeException("no IP allocated (see the control's warnings)");
            var programs = pod.Containers.Select(c => (Container: c, Program: ImageMapper.Map(c, () => binaries.Echo, Binaries.DotnetHost))).ToList();
            if (programs.FirstOrDefault(p => p.Program.Error is not null) is { Program.Error: { } error }) throw new LocalModeException(error);
            network?.CreatePod(pod, _services);
            foreach (var (container, program) in programs)
            {
                if (program.Note is not null && _notedImages.Add(container.Image)) log(program.Note);
                runtime.Containers.Add(new ChildProcess(Spec(pod, container, program), ledger, changed, echo));
            }
            HandOver(pod);
        }
        catch (LocalModeException e)
        {
            runtime.Failure = e.Message;
            log($"pod {runtime.Key} cannot run: {e.Message}");
        }
    }

    /// <summary>Ambient pods belong to their node's ztunnel (only where there is capture: root mode).</summary>
    private void HandOver(LocalPod pod)
    {
        if (zds is null) return;
        if (pod.Ambient)
            zds.SetPod(pod.Node, new ZdsPod(pod.Uid, pod.Namespace, pod.Name, pod.Ip, LocalNames.NetnsPath(LocalNames.Netns(pod.Namespace, pod.Name))));
        else
            zds.RemovePod(pod.Uid);
    }

    private async Task DeleteAsync(LocalPod pod)
    {
        PodRuntime? runtime;
        lock (_gate) _pods.Remove(pod.Uid, out runtime);
        zds?.RemovePod(pod.Uid);
        if (runtime is not null)
            await Task.WhenAll(runtime.Containers.Select(c => c.StopAsync(TimeSpan.FromSeconds(5))));
        if (network is not null) PodNetwork.DeletePod(host, pod);
    }

    public async Task StopAllAsync()
    {
        await _apply.WaitAsync();
        try { foreach (var runtime in Pods) await DeleteAsync(runtime.Pod); }
        finally { _apply.Release(); }
    }

    private ChildSpec Spec(LocalPod pod, LocalContainer container, ContainerProgram program)
    {
        var env = new Dictionary<string, string>(container.Env, StringComparer.Ordinal);
        env.TryAdd("POD_NAME", pod.Name);
        env.TryAdd("NAMESPACE", pod.Namespace);
        env.TryAdd("POD_IP", pod.Ip);
        env.TryAdd("HOSTNAME", pod.Name);
        if (ImageMapper.Repository(container.Image) == ImageMapper.EchoImage && container.Ports.Count > 0)
            env.TryAdd("HTTP_PORT", container.Ports[0].ContainerPort.ToString(CultureInfo.InvariantCulture));
        // Without a netns the pod's address is a loopback alias: the app must bind it rather than 0.0.0.0.
        if (network is null) env.TryAdd("BIND_ADDRESS", pod.Ip);

        var workingDir = container.WorkingDir is { Length: > 0 } dir && Directory.Exists(dir) ? dir : "/";
        var name = $"{pod.Namespace}/{pod.Name}/{container.Name}";
        var logFile = Path.Combine(settings.Layout.Logs, LocalNames.LogFile(pod.Namespace, pod.Name, container.Name));
        return network is null
            ? new ChildSpec(name, program.Program!, program.Args, env, workingDir, logFile, InheritEnvironment: false)
            : new ChildSpec(name, "ip", ["netns", "exec", LocalNames.Netns(pod.Namespace, pod.Name), program.Program!, .. program.Args],
                env, workingDir, logFile, InheritEnvironment: false);
    }
}
