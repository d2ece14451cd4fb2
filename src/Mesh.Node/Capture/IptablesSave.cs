namespace Mesh.Node.Capture;

/// <summary>One table of <c>iptables-save</c> output: its chains (with policy, "-" for user chains) and its rules.</summary>
internal sealed record IptablesTable(string Name, IReadOnlyDictionary<string, string> Chains, IReadOnlyList<string> Rules)
{
    private static readonly HashSet<string> BuiltinChains = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

    /// <summary>Nothing in it: only built-in chains, all ACCEPT, no rules; removing such a table changes no behaviour.</summary>
    public bool IsEmpty => Rules.Count == 0 && Chains.All(c => BuiltinChains.Contains(c.Key) && c.Value == "ACCEPT");
}

/// <summary>Parses <c>iptables-save</c> output (comments and counters ignored).</summary>
internal static class IptablesSave
{
    public static IReadOnlyDictionary<string, IptablesTable> Parse(string save)
    {
        var tables = new Dictionary<string, IptablesTable>(StringComparer.Ordinal);
        string? table = null;
        Dictionary<string, string> chains = [];
        List<string> rules = [];
        foreach (var raw in save.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            if (line.StartsWith('*'))
            {
                table = line[1..].Trim();
                chains = new Dictionary<string, string>(StringComparer.Ordinal);
                rules = [];
            }
            else if (line == "COMMIT" && table is not null)
            {
                tables[table] = new IptablesTable(table, chains, rules);
                table = null;
            }
            else if (line.StartsWith(':'))
            {
                var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                chains[parts[0]] = parts.Length > 1 ? parts[1] : "-";
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                rules.Add(line);
            }
        }
        return tables;
    }
}
