using System.CommandLine;
using System.Globalization;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>
/// <c>meshctl ztunnel-config|zc workloads|services|policies</c>: the node slice a ztunnel member holds, in
/// istioctl's column layout. <c>-o json</c> prints the listed part of the slice (as istioctl does), not the envelope.
/// </summary>
public static class ZtunnelConfigCommands
{
    public static Command Build(CommandContext context)
    {
        var zc = new Command("ztunnel-config", "Show the state a node's ztunnel holds (node members only)");
        zc.Aliases.Add("zc");

        zc.Subcommands.Add(View(context, "workloads", "Workloads (pods) on this node",
            (output, state) => JsonOutput.Write(output, state.Slice.Workloads), RenderWorkloads));
        zc.Subcommands.Add(View(context, "services", "Services the pods on this node belong to",
            (output, state) => JsonOutput.Write(output, state.Slice.Services), RenderServices));
        zc.Subcommands.Add(View(context, "policies", "Authorization policies that can apply on this node",
            (output, state) => JsonOutput.Write(output, state.Slice.Policies), RenderPolicies));
        zc.Subcommands.Add(Certificates(context));
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
            if (inv.Format == OutputFormat.Json) JsonOutput.Write(inv.Out, certificates);
            else RenderCertificates(inv.Out, certificates);
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

    private static Command View(CommandContext context, string name, string description,
        Action<TextWriter, NodeStateView> json, Action<TextWriter, NodeStateView> table)
    {
        var command = new Command(name, description);
        context.SetAction(command, async (inv, ct) =>
        {
            var state = await inv.Client.GetAsync<NodeStateView>(AdminRoutes.NodeState, ct);
            if (!state.Synced)
                inv.Error.WriteLine($"meshctl: warning: node {state.Node} has not received its state yet; the view may be incomplete");
            (inv.Format == OutputFormat.Json ? json : table)(inv.Out, state);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static void RenderWorkloads(TextWriter output, NodeStateView state)
    {
        var table = new TableWriter().Row("NAMESPACE", "POD NAME", "ADDRESS", "NODE", "WAYPOINT", "PROTOCOL");
        foreach (var w in state.Slice.Workloads.OrderBy(w => w.Namespace, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal))
        {
            table.Row(w.Namespace, w.Name, OrNone(string.Join(",", w.Addresses)), w.Node, OrNone(w.Waypoint?.Name),
                w.TunnelProtocol == TunnelProtocol.Hbone ? "HBONE" : "TCP");
        }

        table.WriteTo(output);
    }

    internal static void RenderServices(TextWriter output, NodeStateView state)
    {
        var table = new TableWriter().Row("NAMESPACE", "SERVICE NAME", "SERVICE VIP", "WAYPOINT", "ENDPOINTS");
        foreach (var s in state.Slice.Services.OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            // Only this node's slice is known here, so this counts the service's endpoints on this node.
            var endpoints = state.Slice.Workloads.Count(w => w.Services.Any(b => b.ServiceKey == s.Key));
            table.Row(s.Namespace, s.Name, OrNone(string.Join(",", s.Addresses)), OrNone(s.Waypoint?.Name),
                endpoints.ToString(CultureInfo.InvariantCulture));
        }

        table.WriteTo(output);
    }

    internal static void RenderPolicies(TextWriter output, NodeStateView state)
    {
        var table = new TableWriter().Row("NAMESPACE", "POLICY NAME", "ACTION", "SCOPE");
        foreach (var p in state.Slice.Policies.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
            table.Row(p.Namespace, p.Name, p.DryRun ? $"{p.Action} (dry-run)" : p.Action.ToString(), p.Scope.ToString());
        table.WriteTo(output);
    }

    private static string OrNone(string? value) => string.IsNullOrEmpty(value) ? "None" : value;
}
