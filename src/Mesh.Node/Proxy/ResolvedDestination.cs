using System.Net;
using Mesh.Protocol.Model;

namespace Mesh.Node.Proxy;

/// <summary>How an outbound connection is carried (DESIGN.md §3, minus HBONE and waypoints for now).</summary>
public enum DestinationKind { Service, Workload, Passthrough, NoEndpoint }

/// <summary>Where a captured outbound connection goes, and what the mesh knows about it.</summary>
public sealed record ResolvedDestination(DestinationKind Kind, IPEndPoint? Target, Workload? Workload, Service? Service)
{
    public string Describe() => Kind switch
    {
        DestinationKind.Service => $"service {Service!.Key} → {Workload?.Namespace}/{Workload?.Name} {Target}",
        DestinationKind.Workload => $"workload {Workload!.Namespace}/{Workload.Name} {Target}",
        DestinationKind.NoEndpoint => $"service {Service!.Key} has no healthy endpoint",
        _ => $"passthrough {Target}",
    };
}
