using System.Text;
using Mesh.Protocol.Model;

namespace Mesh.Hbone;

/// <summary>The HBONE <c>baggage</c> header that describes the source workload, as ztunnel sends it (trace context: <see cref="HboneHeaders.NewTraceParent"/>).</summary>
public static class Baggage
{
    /// <summary>
    /// W3C baggage for <paramref name="source"/>: <c>k8s.cluster.name</c>, <c>k8s.namespace.name</c>,
    /// <c>k8s.&lt;kind&gt;.name</c> (deployment, cronjob, pod, job), <c>service.name</c>, <c>service.version</c>.
    /// Empty values are left out; values are percent-encoded where baggage needs it.
    /// </summary>
    public static string For(Workload source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var text = new StringBuilder();
        void Add(string key, string value)
        {
            if (string.IsNullOrEmpty(value)) return;
            if (text.Length > 0) text.Append(',');
            text.Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }
        Add("k8s.cluster.name", source.ClusterId);
        Add("k8s.namespace.name", source.Namespace);
        Add($"k8s.{Kind(source.WorkloadType)}.name", source.WorkloadName);
        Add("service.name", source.CanonicalName);
        Add("service.version", source.CanonicalRevision);
        return text.ToString();
    }

    private static string Kind(WorkloadType type) => type switch
    {
        WorkloadType.Deployment => "deployment",
        WorkloadType.CronJob => "cronjob",
        WorkloadType.Job => "job",
        _ => "pod",
    };
}
