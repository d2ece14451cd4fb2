using System.Text.RegularExpressions;
using k8s.Models;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>Istio's heuristics for a pod's owning workload and canonical service name/revision.</summary>
internal static partial class WorkloadNaming
{
    /// <summary>CronJob-created Jobs are named <c>&lt;cronjob&gt;-&lt;8..10 digit schedule time&gt;</c>.</summary>
    [GeneratedRegex(@"^(.+)-\d{8,10}$")]
    private static partial Regex CronJobJobName();

    /// <summary>
    /// ReplicaSet named <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c> → Deployment; Job → Job, or CronJob when
    /// the job name carries a schedule suffix; anything else → the pod itself. Istio only trusts the
    /// controller reference; we fall back to the first owner so hand-written manifests without
    /// <c>controller: true</c> still resolve.
    /// </summary>
    public static (string Name, WorkloadType Type) WorkloadOf(V1Pod pod)
    {
        var owners = pod.Metadata.OwnerReferences ?? [];
        var owner = owners.FirstOrDefault(o => o.Controller == true) ?? owners.FirstOrDefault();
        var hash = AmbientLabels.Get(pod.Metadata.Labels, AmbientLabels.PodTemplateHash);
        switch (owner?.Kind)
        {
            case "ReplicaSet" when !string.IsNullOrEmpty(hash) && owner.Name.EndsWith("-" + hash, StringComparison.Ordinal):
                return (owner.Name[..^(hash.Length + 1)], WorkloadType.Deployment);
            case "Job" when CronJobJobName().Match(owner.Name) is { Success: true } cron:
                return (cron.Groups[1].Value, WorkloadType.CronJob);
            case "Job":
                return (owner.Name, WorkloadType.Job);
            default:
                return (pod.Metadata.Name, WorkloadType.Pod);
        }
    }

    /// <summary>canonical-name > app.kubernetes.io/name > app > workload name (a present but empty label counts, as in Istio).</summary>
    public static string CanonicalName(IDictionary<string, string>? labels, string workloadName) =>
        First(labels, AmbientLabels.CanonicalName, AmbientLabels.AppKubernetesName, AmbientLabels.App) ?? workloadName;

    /// <summary>canonical-revision > app.kubernetes.io/version > version > "latest".</summary>
    public static string CanonicalRevision(IDictionary<string, string>? labels) =>
        First(labels, AmbientLabels.CanonicalRevision, AmbientLabels.AppKubernetesVersion, AmbientLabels.Version) ?? "latest";

    private static string? First(IDictionary<string, string>? labels, params string[] keys)
    {
        foreach (var key in keys)
            if (AmbientLabels.Get(labels, key) is { } value) return value;
        return null;
    }
}
