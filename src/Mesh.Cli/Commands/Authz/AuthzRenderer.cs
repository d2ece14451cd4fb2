using System.Globalization;
using Mesh.Cli.Output;
using Mesh.Protocol.Authz;

namespace Mesh.Cli.Commands.Authz;

/// <summary>Table output of <c>x authz check</c>: the decision first, then one line per policy in scope.</summary>
internal static class AuthzRenderer
{
    public static void Render(TextWriter output, AuthzCheckView view)
    {
        output.WriteLine($"Source:       {view.Source}");
        output.WriteLine($"State:        {view.State}");
        foreach (var note in view.Notes) output.WriteLine($"Note:         {note}");
        foreach (var result in view.Results)
        {
            output.WriteLine();
            output.WriteLine($"Destination:  {result.Destination} {result.Address} (via {result.Via})");
            output.WriteLine($"Decision:     {result.Decision}: {result.Summary}");
            if (result.DryRun is { } dry)
                output.WriteLine($"Dry-run:      {dry.Decision}: {dry.Summary}" + (result.DryRunAffected ? " (dry-run policies would change the decision)" : ""));
            if (result.Policies.Count == 0)
                output.WriteLine("Policies:     none in scope");
            else
            {
                output.WriteLine();
                var table = new TableWriter(indent: "  ").Row("POLICY", "ACTION", "SCOPE", "MATCHED", "WHY");
                foreach (var p in result.Policies)
                    table.Row(p.Key, Action(p), p.Scope.ToString(), p.Matched ? $"rule {p.MatchedRule.ToString(CultureInfo.InvariantCulture)}" : "no", p.Summary);
                table.WriteTo(output);
            }
            foreach (var warning in result.Warnings) output.WriteLine($"Warning:      {warning}");
            foreach (var note in result.Notes) output.WriteLine($"Note:         {note}");
        }
    }

    private static string Action(PolicyTrace p)
    {
        var action = p.Action.ToString().ToUpperInvariant();
        if (p.Origin == PolicyOrigin.PeerAuthentication) action += " (PeerAuthentication)";
        return p.DryRun ? action + " (dry-run)" : action;
    }
}
