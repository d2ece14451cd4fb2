using System.Text.Json;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Local;

namespace Mesh.Cli.Local.Pods;

/// <summary>What one desired-state change means for the pods already realised.</summary>
public sealed record PodChanges(
    IReadOnlyList<LocalPod> Added,
    IReadOnlyList<LocalPod> Removed,
    IReadOnlyList<(LocalPod Old, LocalPod New)> Recreated,
    IReadOnlyList<(LocalPod Old, LocalPod New)> Updated,
    bool ServicesChanged)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Recreated.Count == 0 && Updated.Count == 0 && !ServicesChanged;
}

/// <summary>
/// Pure diff of realised pods against a new desired state, keyed by uid. A pod is recreated (new netns, new
/// processes) only when what it runs or where it lives changed; labels and the ambient flag change in place (the
/// latter is a ZDS add/del, as Istio enrols a running pod without restarting it).
/// </summary>
public static class DesiredDiff
{
    public static PodChanges Compute(IReadOnlyCollection<LocalPod> current, IReadOnlyList<LocalService> currentServices, LocalDesiredState desired)
    {
        var old = current.ToDictionary(p => p.Uid, StringComparer.Ordinal);
        var added = new List<LocalPod>();
        var recreated = new List<(LocalPod, LocalPod)>();
        var updated = new List<(LocalPod, LocalPod)>();
        foreach (var pod in desired.Pods)
        {
            if (!old.Remove(pod.Uid, out var before)) { added.Add(pod); continue; }
            if (Json(Runtime(before)) != Json(Runtime(pod))) recreated.Add((before, pod));
            else if (Json(before) != Json(pod)) updated.Add((before, pod));
        }
        var servicesChanged = Json(currentServices) != Json(desired.Services);
        return new PodChanges(added, old.Values.ToList(), recreated, updated, servicesChanged);
    }

    private static object Runtime(LocalPod pod) => new { pod.Namespace, pod.Name, pod.Node, pod.Ip, pod.ServiceAccount, pod.Containers };

    private static string Json(object value) => JsonSerializer.Serialize(value, AdminJson.Options);
}
