using k8s.Models;
using Mesh.Control.Config;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>
/// Pure function from a manifest snapshot to the mesh state the ztunnels and waypoints consume. No clocks,
/// randomness or process-dependent hashing: two control replicas given equal input produce equal output.
/// </summary>
public static class MeshStateComputer
{
    public static MeshState Compute(ManifestSet manifests, AmbientOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(options);
        var warnings = new Warnings();

        var namespaces = new Dictionary<string, V1Namespace>(StringComparer.Ordinal);
        foreach (var ns in manifests.Namespaces) namespaces.TryAdd(ns.Metadata.Name, ns);

        var pods = Deduplicate(manifests.Pods.Where(p => !Enrollment.IsGone(p)), p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}", "pod", warnings);
        var services = Deduplicate(manifests.Services, s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}", "service", warnings);

        var waypoints = new WaypointResolver(manifests, namespaces, options, warnings);
        var serviceAllocator = new ServiceAddressAllocator(options.ServiceCidr, services.SelectMany(ServiceBuilder.ExplicitAddresses));
        var serviceBuilder = new ServiceBuilder(options, waypoints, serviceAllocator, warnings);
        var meshServices = services.Select(serviceBuilder.Build).OfType<Service>().ToList();
        var meshServiceNames = meshServices.Select(s => $"{s.Namespace}/{s.Name}").ToHashSet(StringComparer.Ordinal);
        var selectableServices = services.Where(s => meshServiceNames.Contains($"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}")).ToList();

        var converter = new AuthorizationConverter(options, warnings);
        var authorizationPolicies = Deduplicate(manifests.AuthorizationPolicies, p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}", "AuthorizationPolicy", warnings)
            .Select(converter.Convert).OfType<ConvertedPolicy>().ToList();
        var peerAuthentication = new PeerAuthenticationConverter(manifests, options, warnings);
        var attachment = new PolicyAttachment(authorizationPolicies, peerAuthentication, options.RootNamespace);

        var placement = new PodPlacement(options, pods, warnings);
        var workloadBuilder = new WorkloadBuilder(options, namespaces, placement, waypoints, selectableServices, attachment);
        var workloads = pods.Select(workloadBuilder.Build);

        var policies = authorizationPolicies.Select(p => p.Authorization).Concat(peerAuthentication.Policies());
        return new MeshState(
            workloads.OrderBy(w => w.Uid, StringComparer.Ordinal).ToValueList(),
            meshServices.OrderBy(s => s.Key, StringComparer.Ordinal).ToValueList(),
            policies.OrderBy(p => p.Key, StringComparer.Ordinal).ToValueList(),
            warnings.Items.ToValueList());
    }

    /// <summary>Sorted by key; a repeated key keeps the first occurrence and is reported.</summary>
    private static List<T> Deduplicate<T>(IEnumerable<T> items, Func<T, string> key, string kind, Warnings warnings)
    {
        var seen = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
            if (!seen.TryAdd(key(item), item)) warnings.Add($"{kind} {key(item)} is defined more than once; the first definition is used");
        return seen.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).ToList();
    }
}
