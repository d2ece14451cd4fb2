using System.CommandLine;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Commands.Waypoint;

/// <summary>
/// <c>meshctl waypoint list|status</c>: the istio-waypoint Gateways a control member has read, in istioctl's layout —
/// list: <c>NAME REVISION TRAFFIC TYPE PROGRAMMED</c> (a NAMESPACE column first with <c>-A</c>); status: one row per
/// waypoint with its Programmed condition, <c>NAME STATUS TYPE REASON MESSAGE</c>. As in istioctl the namespace is
/// <c>-n</c>, else "default". TRAFFIC TYPE is the effective <c>istio.io/waypoint-for</c> (service when unset), where
/// istioctl prints the raw label ("none" when unset).
/// </summary>
public static class WaypointCommands
{
    public static Command Build(CommandContext context)
    {
        var waypoint = new Command("waypoint", "Waypoints (istio-waypoint Gateways) as a control member sees them");
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace of the waypoints (default: default)", HelpName = "NS" };

        var all = new Option<bool>("--all-namespaces", "-A") { Description = "Waypoints of every namespace" };
        var list = new Command("list", "The waypoints of a namespace: revision, traffic type, whether programmed") { ns, all };
        context.SetAction(list, async (inv, ct) =>
        {
            var allNamespaces = inv.Parse.GetValue(all);
            var shown = Select(await inv.Client.GetAsync<List<WaypointView>>(AdminRoutes.Waypoints, ct), allNamespaces ? null : Namespace(inv, ns), []);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, shown);
            else RenderList(inv.Out, shown, allNamespaces);
            return ExitCodes.Ok;
        });

        var names = new Argument<string[]>("NAME") { Description = "Waypoints to show (default: all in the namespace)", Arity = ArgumentArity.ZeroOrMore };
        var status = new Command("status", "The Programmed condition of each waypoint, with its reason and message") { ns, names };
        context.SetAction(status, async (inv, ct) =>
        {
            var wanted = inv.Parse.GetValue(names) ?? [];
            var namespaceName = Namespace(inv, ns);
            var shown = Select(await inv.Client.GetAsync<List<WaypointView>>(AdminRoutes.Waypoints, ct), namespaceName, wanted);
            foreach (var missing in wanted.Where(n => shown.All(w => w.Name != n)))
                inv.Error.WriteLine($"waypoint {namespaceName}/{missing} not found");
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, shown);
            else RenderStatus(inv.Out, shown);
            return shown.Count == wanted.Length || wanted.Length == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });

        waypoint.Subcommands.Add(list);
        waypoint.Subcommands.Add(status);
        return waypoint;
    }

    private static string Namespace(Invocation inv, Option<string> ns) =>
        inv.Parse.GetValue(ns) is { Length: > 0 } given ? given : "default";

    private static List<WaypointView> Select(IEnumerable<WaypointView> waypoints, string? ns, IReadOnlyCollection<string> names) =>
    [
        .. waypoints.Where(w => ns is null || w.Namespace == ns).Where(w => names.Count == 0 || names.Contains(w.Name))
            .OrderBy(w => w.Namespace, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal),
    ];

    internal static void RenderList(TextWriter output, IReadOnlyList<WaypointView> waypoints, bool allNamespaces)
    {
        if (waypoints.Count == 0)
        {
            output.WriteLine("No waypoints found.");
            return;
        }
        var table = allNamespaces
            ? new TableWriter().Row("NAMESPACE", "NAME", "REVISION", "TRAFFIC TYPE", "PROGRAMMED")
            : new TableWriter().Row("NAME", "REVISION", "TRAFFIC TYPE", "PROGRAMMED");
        foreach (var w in waypoints)
        {
            var programmed = Condition(w, "Programmed")?.Status ?? "False";
            if (allNamespaces) table.Row(w.Namespace, w.Name, w.Revision, w.TrafficType, programmed);
            else table.Row(w.Name, w.Revision, w.TrafficType, programmed);
        }
        table.WriteTo(output);
    }

    internal static void RenderStatus(TextWriter output, IReadOnlyList<WaypointView> waypoints)
    {
        if (waypoints.Count == 0)
        {
            output.WriteLine("No waypoints found.");
            return;
        }
        var table = new TableWriter().Row("NAME", "STATUS", "TYPE", "REASON", "MESSAGE");
        foreach (var w in waypoints)
        {
            // The Programmed condition, as istioctl prints; a Gateway that is not even accepted says why instead.
            var condition = Condition(w, "Accepted") is { Status: "False" } refused ? refused : Condition(w, "Programmed");
            table.Row(w.Name, condition?.Status ?? "Unknown", condition?.Type ?? "Programmed", condition?.Reason ?? "", condition?.Message ?? "");
        }
        table.WriteTo(output);
    }

    private static ConditionView? Condition(WaypointView waypoint, string type) => waypoint.Conditions.FirstOrDefault(c => c.Type == type);
}
