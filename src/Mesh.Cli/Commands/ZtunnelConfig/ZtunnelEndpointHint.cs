using Mesh.Cli.Client;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>
/// Why an endpoint answered 404 to a <c>zc</c> view, in words a user can act on: what kind of member it is (its own
/// <c>/v1/cluster/status</c> roles) and which endpoints serve the view instead — the node members' command endpoints
/// from the local mesh's layout when the endpoint is one of its members, else the node members the cluster knows
/// (whose command endpoints it does not publish), else how to pass a node's HOST:PORT.
/// </summary>
public static class ZtunnelEndpointHint
{
    public static async Task<string> ExplainAsync(AdminClient client, AdminHttpException notFound, string verb,
        LocalMeshMembers? local, CancellationToken ct)
    {
        var endpoint = client.Endpoint;
        var usage = $"'meshctl HOST:PORT zc {verb}'";
        var localMember = local?.MemberAt(endpoint);

        MemberStatusView status;
        try
        {
            status = await client.GetAsync<MemberStatusView>(AdminRoutes.Status, ct);
        }
        catch (AdminClientException e)
        {
            if (localMember is not null)
                return $"{endpoint} is {Kind([localMember.Role])} ({localMember.Name} of the local mesh) but did not answer " +
                       $"{AdminRoutes.Status} ({e.Message}); ztunnel views are served by the node members{Suggestion(local, verb, usage)}";
            return $"{endpoint} is not a mesh member's command endpoint (it answered {notFound.Message} to the ztunnel view, and " +
                   $"{e.Message} to {AdminRoutes.Status}); ztunnel views are served by the node members' command endpoints: " +
                   $"pass a node's (its Mesh:AdminPort), {usage}{Elsewhere(local)}";
        }

        var roles = status.Roles;
        if (roles.Contains(LocalMeshMembers.NodeRole))
            return $"{endpoint} is {Kind(roles)} but does not serve the ztunnel views ({notFound.Message}); is meshctl newer than the member?";

        var kind = $"{endpoint} is {Kind(roles)}";
        if (localMember is not null)
            return $"{kind} ({localMember.Name} of the local mesh); ztunnel views are served by the node members{Suggestion(local, verb, usage)}";

        var nodes = await ClusterNodesAsync(client, ct);
        var cluster = nodes switch
        {
            null => "",
            [] => " (its cluster has no node members now)",
            _ => $" ({string.Join(", ", nodes)}), whose command endpoints the cluster does not publish",
        };
        return $"{kind}; ztunnel views are served by the node members{cluster}: pass a node's command endpoint " +
               $"(its Mesh:AdminPort, on that node's host), {usage}{Elsewhere(local)}";
    }

    /// <summary>A local mesh that runs but does not contain the endpoint: name its nodes anyway, it may be what the user meant.</summary>
    private static string Elsewhere(LocalMeshMembers? local) =>
        local is { Nodes.Count: > 0 } ? $"; the running local mesh's nodes are {local.NodeList}" : "";

    /// <summary>": node-0 127.0.0.1:9111, … (e.g. …)" from the local mesh the endpoint belongs to, else how to pass one.</summary>
    private static string Suggestion(LocalMeshMembers? local, string verb, string usage) =>
        local is { Nodes: [var first, ..] }
            ? $": {local.NodeList} (e.g. 'meshctl {first.Endpoint} zc {verb}', or 'meshctl zc {verb}{local.StateDirArgument}' for every node of the local mesh)"
            : $": pass a node's command endpoint (its Mesh:AdminPort), {usage}";

    /// <summary>The node members' cluster addresses, or null when the member cannot list them.</summary>
    private static async Task<IReadOnlyList<string>?> ClusterNodesAsync(AdminClient client, CancellationToken ct)
    {
        try
        {
            var cluster = await client.GetAsync<ClusterView>(AdminRoutes.Cluster, ct);
            return cluster.Members.Where(m => m.Roles.Contains(LocalMeshMembers.NodeRole)).Select(m => m.Address).ToList();
        }
        catch (AdminClientException)
        {
            return null;
        }
    }

    /// <summary>"a control member", "a member with roles node, waypoint", "a cluster member without a role".</summary>
    private static string Kind(IReadOnlyList<string> roles) => roles switch
    {
        [] => "a cluster member without a role",
        [var role] => $"{(role.Length > 0 && "aeiou".Contains(char.ToLowerInvariant(role[0])) ? "an" : "a")} {role} member",
        _ => $"a member with roles {string.Join(", ", roles)}",
    };
}
