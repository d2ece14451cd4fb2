using System.CommandLine;
using System.Globalization;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Commands.Config;

/// <summary><c>meshctl config status</c>: what a control member loaded from its manifests (control members only).</summary>
public static class ConfigCommands
{
    public static Command Build(CommandContext context)
    {
        var config = new Command("config", "Inspect the configuration a control member has loaded");

        var status = new Command("status", "Manifest files, object counts per kind, load errors and what the state computation warns about");
        context.SetAction(status, async (inv, ct) =>
        {
            var view = await inv.Client.GetAsync<ConfigStatusView>(AdminRoutes.ConfigStatus, ct);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, view);
            else Render(inv.Out, view);
            return ExitCodes.Ok;
        });

        config.Subcommands.Add(status);
        return config;
    }

    internal static void Render(TextWriter output, ConfigStatusView view)
    {
        new TableWriter(" ")
            .Row("Source:", view.Source)
            .Row("Files:", Number(view.Files))
            .Row("Last applied:", view.LastApplied?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "never")
            .WriteTo(output);

        output.WriteLine("Objects:");
        if (view.Objects.Count == 0)
        {
            output.WriteLine("  (none)");
        }
        else
        {
            var table = new TableWriter(indent: "  ").Row("KIND", "COUNT");
            foreach (var (kind, count) in view.Objects.OrderBy(o => o.Key, StringComparer.Ordinal))
                table.Row(kind, Number(count));
            table.WriteTo(output);
        }

        if (view.Errors.Count == 0)
        {
            output.WriteLine("Errors: none");
        }
        else
        {
            output.WriteLine($"Errors ({Number(view.Errors.Count)}):");
            // The control plane's messages already name file, document, object and field.
            foreach (var error in view.Errors)
                output.WriteLine($"  {error.Message}");
        }

        // Objects that parsed but could not be applied as written (a refused Gateway listener, a partially applied
        // policy, a binding to a missing waypoint). A control member from before this field sends none: say nothing.
        if (view.Warnings is null) return;
        if (view.Warnings.Count == 0)
        {
            output.WriteLine("Warnings: none");
            return;
        }
        output.WriteLine($"Warnings ({Number(view.Warnings.Count)}):");
        foreach (var warning in view.Warnings)
            output.WriteLine($"  {warning}");
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
