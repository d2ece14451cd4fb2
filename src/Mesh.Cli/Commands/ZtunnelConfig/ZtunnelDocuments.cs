using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>
/// The <c>zc -o json|yaml</c> documents. One endpoint: the listed items, as istioctl prints them. Several nodes (local
/// mode): each item wrapped with the node that reported it, <c>{"node": "node-0", "workload": {…}}</c> — wrapped, not
/// merged into the item, because a workload already has a <c>node</c> field of its own.
/// </summary>
public static class ZtunnelDocuments
{
    public static JsonNode? List<T>(bool merged, IEnumerable<ZtunnelAnswer> answers, Func<ZtunnelAnswer, IEnumerable<T>> items, string key)
    {
        if (!merged) return JsonSerializer.SerializeToNode(answers.SelectMany(items).ToList(), AdminJson.Options);
        var list = new JsonArray();
        foreach (var answer in answers)
        foreach (var item in items(answer))
            list.Add(new JsonObject { ["node"] = answer.Node, [key] = JsonSerializer.SerializeToNode(item, AdminJson.Options) });
        return list;
    }

    /// <summary><c>zc all</c>: each view's list under its name.</summary>
    public static JsonNode? All(bool merged, IReadOnlyList<ZtunnelAnswer> answers, ZtunnelFilters filters)
    {
        if (!merged)
        {
            var single = answers.Single();
            var state = single.RequiredState;
            return JsonSerializer.SerializeToNode(new ZtunnelAllView(filters.Workloads(state), filters.Services(state),
                filters.Policies(state), single.Certificates, filters.Connections(single.Connections, single.QueriedNode)), AdminJson.Options);
        }
        return new JsonObject
        {
            ["workloads"] = List(true, answers, a => filters.Workloads(a.RequiredState), "workload"),
            ["services"] = List(true, answers, a => filters.Services(a.RequiredState), "service"),
            ["policies"] = List(true, answers, a => filters.Policies(a.RequiredState), "policy"),
            ["certificates"] = List(true, answers, a => a.Certificates, "certificate"),
            ["connections"] = List(true, answers, a => filters.Connections(a.Connections, a.QueriedNode), "connection"),
        };
    }
}

/// <summary><c>zc all -o json|yaml</c> against one endpoint: each list under its view's name.</summary>
public sealed record ZtunnelAllView(
    IReadOnlyList<Workload> Workloads, IReadOnlyList<Service> Services, IReadOnlyList<Authorization> Policies,
    IReadOnlyList<CertificateView> Certificates, IReadOnlyList<ConnectionView> Connections);
