using System.CommandLine;
using System.Globalization;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>
/// <c>meshctl ztunnel-config|zc workloads|services|policies|certificates|connections|all</c>: what a node's ztunnel
/// holds, in istioctl's column layout, with istioctl's filters (<see cref="ZtunnelFilters"/>). <c>-o json|yaml</c> prints
/// the listed items (as istioctl does), not the envelope; <c>-o short</c> is the table.
/// </summary>
public static class ZtunnelConfigCommands
{
    public static Command Build(CommandContext context)
    {
        var zc = new Command("ztunnel-config", "Show the state a node's ztunnel holds (node members only)");
        zc.Aliases.Add("zc");
        var filters = new ZtunnelFilterOptions();
        filters.AddTo(zc);

        zc.Subcommands.Add(StateView(context, filters, "workloads", "Workloads (pods) on this node",
            (f, s) => f.Workloads(s), (o, f, s) => RenderWorkloads(o, f.Workloads(s))));
        zc.Subcommands.Add(StateView(context, filters, "services", "Services the pods on this node belong to",
            (f, s) => f.Services(s), (o, f, s) => RenderServices(o, s, f.Services(s))));
        zc.Subcommands.Add(StateView(context, filters, "policies", "Authorization policies that can apply on this node",
            (f, s) => f.Policies(s), (o, f, s) => RenderPolicies(o, f.Policies(s))));
        zc.Subcommands.Add(Certificates(context));
        zc.Subcommands.Add(Connections(context, filters));
        zc.Subcommands.Add(All(context, filters));
        return zc;
    }

    /// <summary><c>zc certificates</c> (alias <c>certs</c>, as istioctl): the SVIDs and roots this ztunnel holds.</summary>
    private static Command Certificates(CommandContext context)
    {
        var command = new Command("certificates", "Workload certificates and trust roots this node's ztunnel holds");
        command.Aliases.Add("certs");
        context.SetAction(command, async (inv, ct) =>
        {
            var certificates = await inv.Client.GetAsync<List<CertificateView>>(AdminRoutes.Certificates, ct);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, certificates);
            else RenderCertificates(inv.Out, certificates);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>zc connections</c>: the connections open through this ztunnel now.</summary>
    private static Command Connections(CommandContext context, ZtunnelFilterOptions options)
    {
        var command = new Command("connections", "Connections open through this node's ztunnel");
        context.SetAction(command, async (inv, ct) =>
        {
            var filters = options.Read(inv.Parse);
            var connections = filters.Connections(await inv.Client.GetAsync<List<ConnectionView>>(AdminRoutes.Connections, ct),
                filters.Node is null ? null : (await inv.Client.GetAsync<NodeStateView>(AdminRoutes.NodeState, ct)).Node);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, connections);
            else RenderConnections(inv.Out, connections);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>zc all</c>: every view, one table after another (or one document with each list).</summary>
    private static Command All(CommandContext context, ZtunnelFilterOptions options)
    {
        var command = new Command("all", "Workloads, services, policies, certificates and connections of this node's ztunnel");
        context.SetAction(command, async (inv, ct) =>
        {
            var filters = options.Read(inv.Parse);
            var state = await GetStateAsync(inv, ct);
            var certificates = await inv.Client.GetAsync<List<CertificateView>>(AdminRoutes.Certificates, ct);
            var connections = filters.Connections(await inv.Client.GetAsync<List<ConnectionView>>(AdminRoutes.Connections, ct), state.Node);
            if (inv.Format != OutputFormat.Table)
            {
                StructuredOutput.Write(inv.Format, inv.Out, new ZtunnelAllView(filters.Workloads(state), filters.Services(state),
                    filters.Policies(state), certificates, connections));
                return ExitCodes.Ok;
            }
            RenderWorkloads(inv.Out, filters.Workloads(state));
            inv.Out.WriteLine();
            RenderServices(inv.Out, state, filters.Services(state));
            inv.Out.WriteLine();
            RenderPolicies(inv.Out, filters.Policies(state));
            inv.Out.WriteLine();
            RenderCertificates(inv.Out, certificates);
            inv.Out.WriteLine();
            RenderConnections(inv.Out, connections);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<NodeStateView> GetStateAsync(Invocation inv, CancellationToken ct)
    {
        var state = await inv.Client.GetAsync<NodeStateView>(AdminRoutes.NodeState, ct);
        if (!state.Synced)
            inv.Error.WriteLine($"meshctl: warning: node {state.Node} has not received its state yet; the view may be incomplete");
        return state;
    }

    private static Command StateView<T>(CommandContext context, ZtunnelFilterOptions options, string name, string description,
        Func<ZtunnelFilters, NodeStateView, IReadOnlyList<T>> items, Action<TextWriter, ZtunnelFilters, NodeStateView> table)
    {
        var command = new Command(name, description);
        context.SetAction(command, async (inv, ct) =>
        {
            var filters = options.Read(inv.Parse);
            var state = await GetStateAsync(inv, ct);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, items(filters, state));
            else table(inv.Out, filters, state);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void RenderCertificates(TextWriter output, IReadOnlyList<CertificateView> certificates)
    {
        var table = new TableWriter().Row("CERTIFICATE NAME", "TYPE", "STATUS", "VALID CERT", "SERIAL NUMBER", "NOT AFTER", "NOT BEFORE");
        foreach (var c in certificates)
            table.Row(c.Name, c.Type, c.Status, c.Valid ? "true" : "false", c.SerialNumber ?? "-", Time(c.NotAfter), Time(c.NotBefore));
        table.WriteTo(output);
        foreach (var c in certificates.Where(c => c.Error is not null))
            output.WriteLine($"{c.Name}: {c.Error}");
    }

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "-";

    internal static void RenderWorkloads(TextWriter output, IEnumerable<Workload> workloads)
    {
        var table = new TableWriter().Row("NAMESPACE", "POD NAME", "ADDRESS", "NODE", "WAYPOINT", "PROTOCOL");
        foreach (var w in workloads)
        {
            table.Row(w.Namespace, w.Name, OrNone(string.Join(",", w.Addresses)), w.Node, OrNone(w.Waypoint?.Name),
                w.TunnelProtocol == TunnelProtocol.Hbone ? "HBONE" : "TCP");
        }
        table.WriteTo(output);
    }

    internal static void RenderServices(TextWriter output, NodeStateView state, IEnumerable<Service> services)
    {
        var table = new TableWriter().Row("NAMESPACE", "SERVICE NAME", "SERVICE VIP", "WAYPOINT", "ENDPOINTS");
        foreach (var s in services)
        {
            // Only this node's slice is known here, so this counts the service's endpoints on this node.
            var endpoints = state.Slice.Workloads.Count(w => w.Services.Any(b => b.ServiceKey == s.Key));
            table.Row(s.Namespace, s.Name, OrNone(string.Join(",", s.Addresses)), OrNone(s.Waypoint?.Name),
                endpoints.ToString(CultureInfo.InvariantCulture));
        }
        table.WriteTo(output);
    }

    internal static void RenderPolicies(TextWriter output, IEnumerable<Authorization> policies)
    {
        var table = new TableWriter().Row("NAMESPACE", "POLICY NAME", "ACTION", "SCOPE");
        foreach (var p in policies)
            table.Row(p.Namespace, p.Name, p.DryRun ? $"{p.Action} (dry-run)" : p.Action.ToString(), p.Scope.ToString());
        table.WriteTo(output);
    }

    /// <summary>istioctl's layout: WORKLOAD is "name.namespace" of the local pod.</summary>
    internal static void RenderConnections(TextWriter output, IEnumerable<ConnectionView> connections)
    {
        var table = new TableWriter().Row("WORKLOAD", "DIRECTION", "LOCAL", "REMOTE", "REMOTE TARGET", "PROTOCOL");
        foreach (var c in connections)
            table.Row(c.Workload.Length == 0 ? "-" : $"{c.Workload}.{c.Namespace}", c.Direction, c.Local, c.Remote,
                c.RemoteTarget, c.Protocol);
        table.WriteTo(output);
    }

    private static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "None" : value;
}

/// <summary><c>zc all -o json|yaml</c>: each list under its view's name.</summary>
public sealed record ZtunnelAllView(
    IReadOnlyList<Workload> Workloads, IReadOnlyList<Service> Services, IReadOnlyList<Authorization> Policies,
    IReadOnlyList<CertificateView> Certificates, IReadOnlyList<ConnectionView> Connections);
