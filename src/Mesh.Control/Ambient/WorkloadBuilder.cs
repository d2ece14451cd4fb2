using k8s.Models;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>Pod → Workload (Istio's podWorkloadBuilder), given the already-resolved placement and policies.</summary>
internal sealed class WorkloadBuilder(
    AmbientOptions options,
    IReadOnlyDictionary<string, V1Namespace> namespaces,
    PodPlacement placement,
    WaypointResolver waypoints,
    IReadOnlyList<V1Service> services,
    PolicyAttachment policies)
{
    public Workload Build(V1Pod pod)
    {
        var meta = pod.Metadata;
        var ns = meta.NamespaceProperty;
        namespaces.TryGetValue(ns, out var namespaceObject);
        var enrolled = Enrollment.IsEnrolled(pod, namespaceObject);
        var (workloadName, workloadType) = WorkloadNaming.WorkloadOf(pod);
        var node = placement.NodeOf(pod);
        return new Workload(
            Uid: $"{options.ClusterId}//Pod/{ns}/{meta.Name}",
            Name: meta.Name,
            Namespace: ns,
            Addresses: placement.AddressesOf(pod).ToValueList(),
            Hostname: "",
            Network: options.Network,
            TunnelProtocol: enrolled ? TunnelProtocol.Hbone : TunnelProtocol.None,
            TrustDomain: options.TrustDomain,
            ServiceAccount: string.IsNullOrEmpty(pod.Spec?.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName,
            // Only captured traffic can be steered to a waypoint.
            Waypoint: enrolled ? waypoints.ForWorkload(pod) : null,
            Node: node,
            CanonicalName: WorkloadNaming.CanonicalName(meta.Labels, workloadName),
            CanonicalRevision: WorkloadNaming.CanonicalRevision(meta.Labels),
            WorkloadType: workloadType,
            WorkloadName: workloadName,
            ClusterId: options.ClusterId,
            Services: ServiceBindings(pod),
            Status: IsHealthy(pod) ? WorkloadStatus.Healthy : WorkloadStatus.Unhealthy,
            AuthorizationPolicies: policies.KeysFor(pod).ToValueList(),
            Locality: LocalityOf(pod, node));
    }

    /// <summary>Manifests usually carry no status, so "no information" counts as healthy.</summary>
    internal static bool IsHealthy(V1Pod pod)
    {
        var status = pod.Status;
        if (status is null) return true;
        if (!string.IsNullOrEmpty(status.Phase) && status.Phase != "Running") return false;
        return status.Conditions?.FirstOrDefault(c => c.Type == "Ready") is not { Status: "False" };
    }

    /// <summary>Every Service in the pod's namespace whose non-empty selector matches the pod's labels.</summary>
    private ValueList<ServiceBinding> ServiceBindings(V1Pod pod) =>
        services
            .Where(s => s.Metadata.NamespaceProperty == pod.Metadata.NamespaceProperty
                        && s.Spec?.Selector is { Count: > 0 } selector
                        && LabelSelector.Matches(selector, pod.Metadata.Labels))
            .Select(s => new ServiceBinding(
                $"{s.Metadata.NamespaceProperty}/{ServiceBuilder.Hostname(s, options.DomainSuffix)}",
                ServicePorts.ForPod(s, pod)))
            .OrderBy(b => b.ServiceKey, StringComparer.Ordinal)
            .ToValueList();

    /// <summary>Per field: the pod's own topology label, else the node's (from options); null when none is known.</summary>
    private Locality? LocalityOf(V1Pod pod, string node)
    {
        options.NodeLabels.TryGetValue(node, out var nodeLabels);
        string Field(string key) =>
            AmbientLabels.Get(pod.Metadata.Labels, key)
            ?? (nodeLabels is not null && nodeLabels.TryGetValue(key, out var v) ? v : "");
        var locality = new Locality(Field(AmbientLabels.Region), Field(AmbientLabels.Zone), Field(AmbientLabels.Subzone));
        return locality is { Region: "", Zone: "", Subzone: "" } ? null : locality;
    }
}
