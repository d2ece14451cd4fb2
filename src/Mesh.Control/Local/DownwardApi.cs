using k8s.Models;

namespace Mesh.Control.Local;

/// <summary>
/// Resolves container env the way the kubelet would for the fields a manifest-only pod can have: literal values and
/// the downward-API fieldRefs whose value we know (name, namespace, uid, node, service account, pod IP).
/// </summary>
internal static class DownwardApi
{
    public sealed record PodFacts(string Name, string Namespace, string Uid, string Node, string ServiceAccount, string Ip);

    /// <summary>Env in declaration order (later duplicates win, as in Kubernetes); unsupported sources become warnings.</summary>
    public static IReadOnlyDictionary<string, string> ResolveEnv(V1Container container, PodFacts pod, ICollection<string> warnings)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            if (string.IsNullOrEmpty(variable.Name)) continue;
            if (variable.ValueFrom is null)
            {
                env[variable.Name] = variable.Value ?? "";
                continue;
            }
            var path = variable.ValueFrom.FieldRef?.FieldPath;
            var value = path is null ? null : Field(path, pod);
            if (value is null)
            {
                var source = path is null ? "a valueFrom source other than fieldRef" : $"fieldRef '{path}'";
                warnings.Add($"pod {pod.Namespace}/{pod.Name} container {container.Name}: env {variable.Name} uses {source}, which local mode does not support; skipped");
                continue;
            }
            env[variable.Name] = value;
        }
        return env;
    }

    private static string? Field(string path, PodFacts pod) => path switch
    {
        "metadata.name" => pod.Name,
        "metadata.namespace" => pod.Namespace,
        "metadata.uid" => pod.Uid,
        "spec.nodeName" => pod.Node,
        "spec.serviceAccountName" => pod.ServiceAccount,
        "status.podIP" => pod.Ip,
        _ => null,
    };
}
