using Akka.Actor;
using Akka.Cluster;
using Mesh.Protocol.Admin;

namespace Mesh.Hosting.Admin;

/// <summary>Builds the command endpoint's cluster views from Akka.Cluster's current gossip state.</summary>
public static class ClusterViews
{
    public static ClusterView Cluster(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new MemberView(m.Address.ToString(), SortedRoles(m), Status(m), !unreachable.Contains(m.Address)))
            .ToList();
        return new ClusterView(cluster.SelfAddress.ToString(), state.Leader?.ToString(), members);
    }

    public static MemberStatusView Status(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        return new MemberStatusView(cluster.SelfAddress.ToString(), Status(cluster.SelfMember), SortedRoles(cluster.SelfMember),
            state.Leader?.ToString(), state.Members.Count, state.Unreachable.Count);
    }

    public static LeaderView Leader(ActorSystem system)
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
        var roles = state.Members.SelectMany(m => m.Roles).Distinct().OrderBy(r => r, StringComparer.Ordinal);
        return new LeaderView(state.Leader?.ToString(), roles.ToDictionary(r => r, r => state.RoleLeader(r)?.ToString()));
    }

    /// <summary>Finds a member by full address, or by "host:port" shorthand as pbm users type it.</summary>
    public static Member? FindMember(ActorSystem system, string address)
    {
        var state = Akka.Cluster.Cluster.Get(system).State;
        var all = state.Members.Concat(state.Unreachable);
        return all.FirstOrDefault(m => m.Address.ToString() == address)
               ?? all.FirstOrDefault(m => $"{m.Address.Host}:{m.Address.Port}" == address);
    }

    internal static string Status(Member member) => member.Status.ToString().ToLowerInvariant();

    internal static IReadOnlyList<string> SortedRoles(Member member) =>
        member.Roles.OrderBy(r => r, StringComparer.Ordinal).ToList();
}
