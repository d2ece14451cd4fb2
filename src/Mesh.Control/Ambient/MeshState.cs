using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>
/// Everything the data plane needs, computed from one manifest snapshot. Lists are sorted (workloads by uid,
/// services and policies by key, warnings ordinally) so that equal inputs give equal states on every replica.
/// </summary>
public sealed record MeshState(
    ValueList<Workload> Workloads,
    ValueList<Service> Services,
    ValueList<Authorization> Policies,
    ValueList<string> Warnings)
{
    public static readonly MeshState Empty = new(
        ValueList<Workload>.Empty, ValueList<Service>.Empty, ValueList<Authorization>.Empty, ValueList<string>.Empty);
}
