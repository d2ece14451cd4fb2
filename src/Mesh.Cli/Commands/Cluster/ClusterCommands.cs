using System.CommandLine;
using System.Globalization;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Commands.Cluster;

/// <summary><c>meshctl cluster show|status|leader|leave|down|down-unreachable|tail</c> (pbm's cluster verbs).</summary>
public static class ClusterCommands
{
    public static Command Build(CommandContext context)
    {
        var cluster = new Command("cluster", "Inspect and manage cluster membership");

        var show = new Command("show", "List the cluster's members");
        context.SetAction(show, async (inv, ct) =>
        {
            var view = await inv.Client.GetAsync<ClusterView>(AdminRoutes.Cluster, ct);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, view);
            else RenderShow(inv.Out, view);
            return ExitCodes.Ok;
        });

        var status = new Command("status", "Show this member's own status and the cluster's size");
        context.SetAction(status, async (inv, ct) =>
        {
            var view = await inv.Client.GetAsync<MemberStatusView>(AdminRoutes.Status, ct);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, view);
            else RenderStatus(inv.Out, view);
            return ExitCodes.Ok;
        });

        var leader = new Command("leader", "Show the cluster leader and the leader of each role");
        context.SetAction(leader, async (inv, ct) =>
        {
            var view = await inv.Client.GetAsync<LeaderView>(AdminRoutes.Leader, ct);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, view);
            else RenderLeader(inv.Out, view);
            return ExitCodes.Ok;
        });

        cluster.Subcommands.Add(show);
        cluster.Subcommands.Add(status);
        cluster.Subcommands.Add(leader);
        cluster.Subcommands.Add(AddressCommand(context, "leave", "Ask a member to leave the cluster gracefully", AdminRoutes.Leave));
        cluster.Subcommands.Add(AddressCommand(context, "down", "Mark a member as down (removes it without its cooperation)", AdminRoutes.Down));

        var downUnreachable = new Command("down-unreachable", "Mark every unreachable member as down");
        context.SetAction(downUnreachable, (inv, ct) => PostCommandAsync(inv, AdminRoutes.DownUnreachable, ct));
        cluster.Subcommands.Add(downUnreachable);

        cluster.Subcommands.Add(ClusterTailCommand.Build(context));
        return cluster;
    }

    private static Command AddressCommand(CommandContext context, string name, string description, string route)
    {
        var address = new Argument<string>("address") { Description = "Member address, e.g. akka.tcp://mesh@10.0.0.5:4053" };
        var command = new Command(name, description) { address };
        context.SetAction(command, (inv, ct) =>
            PostCommandAsync(inv, $"{route}?address={Uri.EscapeDataString(inv.Parse.GetRequiredValue(address))}", ct));
        return command;
    }

    /// <summary>POSTs a cluster-changing command; the server's message is the output and Ok=false is exit 1.</summary>
    private static async Task<int> PostCommandAsync(Invocation inv, string route, CancellationToken ct)
    {
        var result = await inv.Client.PostAsync<CommandResult>(route, ct);
        if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, result);
        else (result.Ok ? inv.Out : inv.Error).WriteLine(result.Message);
        return result.Ok ? ExitCodes.Ok : ExitCodes.Failure;
    }

    internal static void RenderShow(TextWriter output, ClusterView view)
    {
        var table = new TableWriter(" | ");
        foreach (var member in view.Members.OrderBy(m => m.Address, StringComparer.Ordinal))
            table.Row(member.Address, Roles(member.Roles), member.Status, member.Reachable ? "reachable" : "unreachable");
        table.WriteTo(output);
        output.WriteLine($"Count: {view.Members.Count.ToString(CultureInfo.InvariantCulture)} nodes");
    }

    internal static void RenderStatus(TextWriter output, MemberStatusView view) =>
        new TableWriter(" ")
            .Row("Self:", view.Self)
            .Row("Status:", view.Status)
            .Row("Roles:", Roles(view.Roles))
            .Row("Leader:", view.Leader ?? "(none)")
            .Row("Members:", view.Members.ToString(CultureInfo.InvariantCulture))
            .Row("Unreachable:", view.Unreachable.ToString(CultureInfo.InvariantCulture))
            .WriteTo(output);

    internal static void RenderLeader(TextWriter output, LeaderView view)
    {
        var table = new TableWriter(" ").Row("Leader:", view.Leader ?? "(none)");
        foreach (var (role, address) in view.RoleLeaders.OrderBy(p => p.Key, StringComparer.Ordinal))
            table.Row($"Leader [{role}]:", address ?? "(none)");
        table.WriteTo(output);
    }

    internal static string Roles(IEnumerable<string> roles) => $"[{string.Join(",", roles)}]";
}
