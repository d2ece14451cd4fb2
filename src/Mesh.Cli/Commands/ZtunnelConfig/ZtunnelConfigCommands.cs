using System.CommandLine;
using System.Text.Json.Nodes;
using Mesh.Cli.Output;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>
/// <c>meshctl ztunnel-config|zc workloads|services|policies|certificates|connections|all</c>: what ztunnels hold, in
/// istioctl's column layout, with istioctl's filters (<see cref="ZtunnelFilters"/>). Against a named endpoint, that one
/// node's view; without one, in local mode, every node's view merged with a NODE column (<see cref="ZtunnelTargetOptions"/>).
/// <c>-o json|yaml</c> prints the listed items (as istioctl does), not the envelope; <c>-o short</c> is the table.
/// </summary>
public static class ZtunnelConfigCommands
{
    public static Command Build(CommandContext context)
    {
        var zc = new Command("ztunnel-config", "Show the state ztunnels hold (node members; every node of a local mesh when no HOST:PORT is given)");
        zc.Aliases.Add("zc");
        var filters = new ZtunnelFilterOptions();
        filters.AddTo(zc);
        var targets = new ZtunnelTargetOptions();
        targets.AddTo(zc);

        zc.Subcommands.Add(View(context, filters, targets, "workloads", "Workloads (pods) on the node",
            _ => ZtunnelData.State, ZtunnelTables.Workloads,
            (merged, answers, f) => ZtunnelDocuments.List(merged, answers, a => f.Workloads(a.RequiredState), "workload")));
        zc.Subcommands.Add(View(context, filters, targets, "services", "Services the pods on the node belong to",
            _ => ZtunnelData.State, ZtunnelTables.Services,
            (merged, answers, f) => ZtunnelDocuments.List(merged, answers, a => f.Services(a.RequiredState), "service")));
        zc.Subcommands.Add(View(context, filters, targets, "policies", "Authorization policies that can apply on the node",
            _ => ZtunnelData.State, ZtunnelTables.Policies,
            (merged, answers, f) => ZtunnelDocuments.List(merged, answers, a => f.Policies(a.RequiredState), "policy")));
        // istioctl's alias "certs"; filters do not apply to certificates (as in istioctl).
        zc.Subcommands.Add(View(context, filters, targets, "certificates", "Workload certificates and trust roots the node's ztunnel holds",
            _ => ZtunnelData.Certificates, (output, merged, answers, _) => ZtunnelTables.Certificates(output, merged, answers),
            (merged, answers, _) => ZtunnelDocuments.List(merged, answers, a => a.Certificates, "certificate"), "certs"));
        // Against one endpoint, --node compares with the node that endpoint serves, which only its state names.
        zc.Subcommands.Add(View(context, filters, targets, "connections", "Connections open through the node's ztunnel",
            f => f.Node is null ? ZtunnelData.Connections : ZtunnelData.Connections | ZtunnelData.State, ZtunnelTables.Connections,
            (merged, answers, f) => ZtunnelDocuments.List(merged, answers, a => f.Connections(a.Connections, a.QueriedNode), "connection")));
        zc.Subcommands.Add(View(context, filters, targets, "all", "Workloads, services, policies, certificates and connections of the node's ztunnel",
            _ => ZtunnelData.State | ZtunnelData.Certificates | ZtunnelData.Connections, All, ZtunnelDocuments.All));
        return zc;
    }

    private delegate void Table(TextWriter output, bool merged, IReadOnlyList<ZtunnelAnswer> answers, ZtunnelFilters filters);

    private delegate JsonNode? Document(bool merged, IReadOnlyList<ZtunnelAnswer> answers, ZtunnelFilters filters);

    private static Command View(CommandContext context, ZtunnelFilterOptions filterOptions, ZtunnelTargetOptions targetOptions,
        string name, string description, Func<ZtunnelFilters, ZtunnelData> data, Table table, Document document, string? alias = null)
    {
        var command = new Command(name, description);
        if (alias is not null) command.Aliases.Add(alias);
        context.SetAction(command, async (inv, ct) =>
        {
            var filters = filterOptions.Read(inv.Parse);
            var (targets, local) = targetOptions.Resolve(inv, filters.Node);
            var merged = local is not null;
            var answers = await ZtunnelQuery.AskAsync(inv, targets, data(filters), name, () => targetOptions.FindLocalMeshMembers(inv), ct);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, document(merged, answers, filters));
            else table(inv.Out, merged, answers, filters);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>zc all</c>: every view, one table after another.</summary>
    private static void All(TextWriter output, bool merged, IReadOnlyList<ZtunnelAnswer> answers, ZtunnelFilters filters)
    {
        ZtunnelTables.Workloads(output, merged, answers, filters);
        output.WriteLine();
        ZtunnelTables.Services(output, merged, answers, filters);
        output.WriteLine();
        ZtunnelTables.Policies(output, merged, answers, filters);
        output.WriteLine();
        ZtunnelTables.Certificates(output, merged, answers);
        output.WriteLine();
        ZtunnelTables.Connections(output, merged, answers, filters);
    }
}
