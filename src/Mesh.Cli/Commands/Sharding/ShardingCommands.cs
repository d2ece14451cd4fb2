using System.CommandLine;
using System.Globalization;
using Mesh.Cli.Output;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Commands.Sharding;

/// <summary><c>meshctl cluster-sharding region-stats -r TYPE</c> (pbm's sharding verb).</summary>
public static class ShardingCommands
{
    public static Command Build(CommandContext context)
    {
        var sharding = new Command("cluster-sharding", "Inspect cluster sharding");

        var region = new Option<string>("--region", "-r")
        {
            Description = "Sharding entity type name, e.g. node-state or address-state",
            HelpName = "type",
            Required = true,
        };
        var regionStats = new Command("region-stats", "Shards and entity counts of every region of an entity type") { region };
        context.SetAction(regionStats, async (inv, ct) =>
        {
            var type = inv.Parse.GetRequiredValue(region);
            var view = await inv.Client.GetAsync<RegionStatsView>($"{AdminRoutes.RegionStats}?type={Uri.EscapeDataString(type)}", ct);
            if (inv.Format != OutputFormat.Table) StructuredOutput.Write(inv.Format, inv.Out, view);
            else Render(inv.Out, view);
            return ExitCodes.Ok;
        });

        sharding.Subcommands.Add(regionStats);
        return sharding;
    }

    internal static void Render(TextWriter output, RegionStatsView view)
    {
        output.WriteLine($"Type: {view.TypeName}");
        var regions = view.Regions.OrderBy(r => r.Address, StringComparer.Ordinal).ToList();
        foreach (var region in regions)
        {
            output.WriteLine();
            output.WriteLine($"Region: {region.Address}");
            if (region.Shards.Count == 0)
            {
                output.WriteLine("  (no shards)");
                continue;
            }

            var table = new TableWriter(indent: "  ").Row("SHARD", "ENTITIES");
            foreach (var (shard, entities) in region.Shards.OrderBy(s => s.Key, ShardIdComparer.Instance))
                table.Row(shard, Number(entities));
            table.Row("Total", Number(region.Entities));
            table.WriteTo(output);
        }

        output.WriteLine();
        output.WriteLine(
            $"Total: {Number(regions.Count)} regions, {Number(regions.Sum(r => r.Shards.Count))} shards, {Number(regions.Sum(r => r.Entities))} entities");
        if (view.Failed.Count > 0)
        {
            output.WriteLine($"Failed regions ({Number(view.Failed.Count)}):");
            foreach (var failed in view.Failed.Order(StringComparer.Ordinal))
                output.WriteLine($"  {failed}");
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Shard ids are usually numbers (Akka's hash-based extractor), so order 2 before 10.</summary>
    private sealed class ShardIdComparer : IComparer<string>
    {
        public static readonly ShardIdComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var xIsNumber = long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var a);
            var yIsNumber = long.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var b);
            // Numeric ids first in numeric order, then any others ordinally: a total order either way.
            return (xIsNumber, yIsNumber) switch
            {
                (true, true) => a.CompareTo(b),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(x, y),
            };
        }
    }
}
