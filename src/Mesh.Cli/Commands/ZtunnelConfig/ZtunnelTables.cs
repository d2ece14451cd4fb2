using System.Globalization;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>
/// The <c>zc</c> tables in istioctl's column layout. When several nodes answered (local mode) every table gets a
/// NODE column first — the node whose ztunnel reported the row — and rows are grouped by node in layout order.
/// </summary>
public static class ZtunnelTables
{
    public static void Workloads(TextWriter output, bool merged, IEnumerable<ZtunnelAnswer> answers, ZtunnelFilters filters)
    {
        var table = new NodeTable(merged, "NAMESPACE", "POD NAME", "ADDRESS", "NODE", "WAYPOINT", "PROTOCOL");
        foreach (var answer in answers)
        foreach (var w in filters.Workloads(answer.RequiredState))
            table.Row(answer.Node, w.Namespace, w.Name, OrNone(string.Join(",", w.Addresses)), w.Node, OrNone(w.Waypoint?.Name),
                w.TunnelProtocol == TunnelProtocol.Hbone ? "HBONE" : "TCP");
        table.WriteTo(output);
    }

    public static void Services(TextWriter output, bool merged, IEnumerable<ZtunnelAnswer> answers, ZtunnelFilters filters)
    {
        var table = new NodeTable(merged, "NAMESPACE", "SERVICE NAME", "SERVICE VIP", "WAYPOINT", "ENDPOINTS");
        foreach (var answer in answers)
        {
            var state = answer.RequiredState;
            foreach (var s in filters.Services(state))
            {
                // Only this node's slice is known to its ztunnel, so this counts the service's endpoints on this node.
                var endpoints = state.Slice.Workloads.Count(w => w.Services.Any(b => b.ServiceKey == s.Key));
                table.Row(answer.Node, s.Namespace, s.Name, OrNone(string.Join(",", s.Addresses)), OrNone(s.Waypoint?.Name),
                    endpoints.ToString(CultureInfo.InvariantCulture));
            }
        }
        table.WriteTo(output);
    }

    public static void Policies(TextWriter output, bool merged, IEnumerable<ZtunnelAnswer> answers, ZtunnelFilters filters)
    {
        var table = new NodeTable(merged, "NAMESPACE", "POLICY NAME", "ACTION", "SCOPE");
        foreach (var answer in answers)
        foreach (var p in filters.Policies(answer.RequiredState))
            table.Row(answer.Node, p.Namespace, p.Name, p.DryRun ? $"{p.Action} (dry-run)" : p.Action.ToString(), p.Scope.ToString());
        table.WriteTo(output);
    }

    public static void Certificates(TextWriter output, bool merged, IReadOnlyList<ZtunnelAnswer> answers)
    {
        var table = new NodeTable(merged, "CERTIFICATE NAME", "TYPE", "STATUS", "VALID CERT", "SERIAL NUMBER", "NOT AFTER", "NOT BEFORE");
        foreach (var answer in answers)
        foreach (var c in answer.Certificates)
            table.Row(answer.Node, c.Name, c.Type, c.Status, c.Valid ? "true" : "false", c.SerialNumber ?? "-", Time(c.NotAfter), Time(c.NotBefore));
        table.WriteTo(output);
        foreach (var answer in answers)
        foreach (var c in answer.Certificates.Where(c => c.Error is not null))
            output.WriteLine(answer.Node is null ? $"{c.Name}: {c.Error}" : $"{answer.Node}: {c.Name}: {c.Error}");
    }

    /// <summary>istioctl's layout: WORKLOAD is "name.namespace" of the local pod.</summary>
    public static void Connections(TextWriter output, bool merged, IEnumerable<ZtunnelAnswer> answers, ZtunnelFilters filters)
    {
        var table = new NodeTable(merged, "WORKLOAD", "DIRECTION", "LOCAL", "REMOTE", "REMOTE TARGET", "PROTOCOL");
        foreach (var answer in answers)
        foreach (var c in filters.Connections(answer.Connections, answer.QueriedNode))
            table.Row(answer.Node, c.Workload.Length == 0 ? "-" : $"{c.Workload}.{c.Namespace}", c.Direction, c.Local, c.Remote,
                c.RemoteTarget, c.Protocol);
        table.WriteTo(output);
    }

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-";

    private static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "None" : value;

    /// <summary>A table with istioctl's columns, preceded by NODE when <c>merged</c>.</summary>
    private sealed class NodeTable
    {
        private readonly bool _merged;
        private readonly TableWriter _table = new();

        public NodeTable(bool merged, params string[] header)
        {
            _merged = merged;
            _table.Row(merged ? ["NODE", .. header] : header);
        }

        public void Row(string? node, params string[] cells) => _table.Row(_merged ? [node ?? "-", .. cells] : cells);

        public void WriteTo(TextWriter output) => _table.WriteTo(output);
    }
}
