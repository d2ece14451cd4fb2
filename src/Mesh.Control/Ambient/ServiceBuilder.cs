using k8s.Models;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>Kubernetes Service → mesh Service (Istio's constructService).</summary>
internal sealed class ServiceBuilder(AmbientOptions options, WaypointResolver waypoints, ServiceAddressAllocator allocator, Warnings warnings)
{
    public static bool IsHeadless(V1Service service) => service.Spec?.ClusterIP == "None";

    public static string Hostname(V1Service service, string domainSuffix) =>
        $"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc.{domainSuffix}";

    /// <summary>Explicit cluster IPs (clusterIPs, else clusterIP), never "None".</summary>
    public static IReadOnlyList<string> ExplicitAddresses(V1Service service)
    {
        var list = new List<string>();
        if (service.Spec?.ClusterIPs is { } ips) list.AddRange(ips.Where(ip => !string.IsNullOrEmpty(ip) && ip != "None"));
        if (service.Spec?.ClusterIP is { Length: > 0 } ip0 && ip0 != "None" && !list.Contains(ip0)) list.Insert(0, ip0);
        return list;
    }

    public Service? Build(V1Service service)
    {
        var key = $"{service.Metadata.NamespaceProperty}/{service.Metadata.Name}";
        if (service.Spec?.Type == "ExternalName")
        {
            warnings.Add($"service {key}: type ExternalName is not supported by the mesh; skipped");
            return null;
        }
        var addresses = ExplicitAddresses(service);
        if (addresses.Count == 0 && !IsHeadless(service))
        {
            if (allocator.Allocate(key) is { } vip) addresses = [vip];
            else warnings.Add($"service {key}: service CIDR {options.ServiceCidr} is exhausted; no VIP allocated");
        }
        return new Service(
            service.Metadata.Name,
            service.Metadata.NamespaceProperty,
            Hostname(service, options.DomainSuffix),
            addresses.ToValueList(),
            (service.Spec?.Ports ?? []).Select(ServicePorts.Convert).ToValueList(),
            waypoints.ForService(service),
            LoadBalancingOf(service));
    }

    private static readonly ValueList<LocalityScope> PreferClose =
        ValueList.Of(LocalityScope.Network, LocalityScope.Region, LocalityScope.Zone, LocalityScope.Subzone);

    /// <summary>
    /// internalTrafficPolicy Local → same node only (strict); otherwise Istio's annotation, else
    /// spec.trafficDistribution: PreferClose/PreferSameZone → closest network/region/zone/subzone first
    /// (failover), PreferSameNode → additionally the node first.
    /// </summary>
    internal static LoadBalancing? LoadBalancingOf(V1Service service)
    {
        if (service.Spec?.InternalTrafficPolicy == "Local")
            return new(ValueList.Of(LocalityScope.Node), LoadBalancingMode.Strict);
        var distribution = AmbientLabels.Get(service.Metadata.Annotations, AmbientLabels.TrafficDistribution)
                           ?? service.Spec?.TrafficDistribution;
        return distribution switch
        {
            "PreferClose" or "PreferSameZone" => new(PreferClose, LoadBalancingMode.Failover),
            "PreferSameNode" => new(PreferClose.Append(LocalityScope.Node).ToValueList(), LoadBalancingMode.Failover),
            _ => null,
        };
    }
}
