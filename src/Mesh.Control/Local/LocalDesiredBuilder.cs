using k8s.Models;
using Mesh.Control.Ambient;
using Mesh.Control.Config;
using Mesh.Protocol.Local;
using Mesh.Protocol.Model;

namespace Mesh.Control.Local;

/// <summary>
/// Pure mapping from the manifests and the computed mesh state to what the local supervisor realises: each workload
/// joined with its pod spec (node and IP as the control computed them, downward API resolved), and the services.
/// </summary>
public static class LocalDesiredBuilder
{
    /// <summary>The desired content (generation 0: the feed numbers it) and the warnings met on the way.</summary>
    public static (LocalDesiredState State, IReadOnlyList<string> Warnings) Build(
        ManifestSet manifests, MeshState state, IReadOnlyList<string> nodes, int manifestErrors)
    {
        var warnings = new List<string>();
        var specs = new Dictionary<string, V1Pod>(StringComparer.Ordinal);
        foreach (var pod in manifests.Pods) specs.TryAdd($"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}", pod);

        var pods = new List<LocalPod>();
        foreach (var workload in state.Workloads)
        {
            if (!specs.TryGetValue($"{workload.Namespace}/{workload.Name}", out var spec)) continue;
            pods.Add(Pod(workload, spec, warnings));
        }

        var endpoints = state.Workloads
            .SelectMany(w => w.Services.Select(b => (b.ServiceKey, Ip: w.Addresses.FirstOrDefault())))
            .Where(e => !string.IsNullOrEmpty(e.Ip))
            .ToLookup(e => e.ServiceKey, e => e.Ip!, StringComparer.Ordinal);
        var services = state.Services
            .Select(s => new LocalService(s.Namespace, s.Name, s.Hostname, s.Addresses.ToList(),
                s.Ports.Select(p => p.Port).ToList(), endpoints[s.Key].Order(StringComparer.Ordinal).ToList()))
            .ToList();

        var allNodes = nodes.Concat(pods.Select(p => p.Node)).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return (new LocalDesiredState(0, allNodes, pods, services, manifestErrors), warnings);
    }

    private static LocalPod Pod(Workload workload, V1Pod spec, List<string> warnings)
    {
        var ip = workload.Addresses.FirstOrDefault() ?? "";
        var facts = new DownwardApi.PodFacts(workload.Name, workload.Namespace,
            string.IsNullOrEmpty(spec.Metadata.Uid) ? workload.Uid : spec.Metadata.Uid,
            workload.Node, workload.ServiceAccount, ip);
        var containers = (spec.Spec?.Containers ?? []).Select(c => new LocalContainer(
            c.Name ?? "",
            c.Image ?? "",
            c.Command?.ToList() ?? [],
            c.Args?.ToList() ?? [],
            DownwardApi.ResolveEnv(c, facts, warnings),
            (c.Ports ?? []).Select(p => new LocalContainerPort(p.Name, p.ContainerPort, p.Protocol ?? "TCP")).ToList(),
            c.WorkingDir)).ToList();
        var labels = new SortedDictionary<string, string>(
            (IDictionary<string, string>?)spec.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        return new LocalPod(workload.Uid, workload.Namespace, workload.Name, workload.Node, ip,
            Ambient: workload.TunnelProtocol == TunnelProtocol.Hbone,
            workload.ServiceAccount, labels, containers);
    }
}
