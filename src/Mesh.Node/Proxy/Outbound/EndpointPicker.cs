using System.Collections.Concurrent;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>A service endpoint chosen for one connection: the workload and the port it receives the service port on.</summary>
public readonly record struct PickedEndpoint(Workload Workload, int TargetPort);

/// <summary>
/// Load balancing over a service's endpoints: healthy endpoints that serve the requested port; when the service asks
/// for locality preference (<see cref="LoadBalancing"/>), only the closest ones (ztunnel's rank: how many of the
/// routing-preference scopes, in order, match the source before the first that does not; <c>Strict</c> keeps only
/// endpoints matching all of them, <c>Failover</c> falls back outward); then round robin per service.
/// </summary>
public sealed class EndpointPicker
{
    private readonly ConcurrentDictionary<string, uint> _next = new(StringComparer.Ordinal);

    /// <summary>The endpoint for the next connection to <paramref name="service"/>:<paramref name="servicePort"/>, or null when none qualifies.</summary>
    public PickedEndpoint? Pick(Service service, IReadOnlyList<Workload> endpoints, int servicePort, SourceLocality source)
    {
        var preference = service.LoadBalancing?.RoutingPreference ?? ValueList<LocalityScope>.Empty;
        var strict = service.LoadBalancing?.Mode == LoadBalancingMode.Strict;
        var best = -1;
        var candidates = new List<PickedEndpoint>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Status != WorkloadStatus.Healthy || endpoint.Addresses.Count == 0) continue;
            if (TargetPort(endpoint, service, servicePort) is not { } targetPort) continue;
            var rank = Rank(preference, source, endpoint);
            if (strict && rank < preference.Count) continue;
            if (rank < best) continue;
            if (rank > best)
            {
                best = rank;
                candidates.Clear();
            }
            candidates.Add(new PickedEndpoint(endpoint, targetPort));
        }
        if (candidates.Count == 0) return null;
        var next = _next.AddOrUpdate(service.Key, 0, static (_, n) => unchecked(n + 1));
        return candidates[(int)(next % (uint)candidates.Count)];
    }

    /// <summary>How many leading scopes of <paramref name="preference"/> the endpoint shares with the source.</summary>
    internal static int Rank(ValueList<LocalityScope> preference, SourceLocality source, Workload endpoint)
    {
        var rank = 0;
        foreach (var scope in preference)
        {
            if (!source.Matches(scope, endpoint)) break;
            rank++;
        }
        return rank;
    }

    /// <summary>The endpoint's port for <paramref name="servicePort"/> from its service binding; null if it does not serve it.</summary>
    private static int? TargetPort(Workload endpoint, Service service, int servicePort)
    {
        foreach (var binding in endpoint.Services)
        {
            if (binding.ServiceKey != service.Key) continue;
            foreach (var mapping in binding.Ports)
                if (mapping.ServicePort == servicePort)
                    return mapping.TargetPort > 0 ? mapping.TargetPort : servicePort;
        }
        return null;
    }
}
