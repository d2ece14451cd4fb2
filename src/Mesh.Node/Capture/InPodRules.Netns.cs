using System.Globalization;
using System.Text;

namespace Mesh.Node.Capture;

// Programming a pod netns: iptables via iptables-restore --noflush (atomic per family), policy routing via ip.
public sealed partial class InPodRules
{
    private static readonly string FwMark = $"{Hex(ReplyMark)}/{Hex(MarkMask)}";
    private static readonly string RuleSelector = $"fwmark {FwMark}";

    /// <summary>
    /// Programs the rules, the fwmark rule and the local route in <paramref name="netns"/> (a name under
    /// /var/run/netns, or a path such as /proc/PID/ns/net). Idempotent: applying again leaves the same state.
    /// </summary>
    /// <exception cref="CaptureCommandException">A command failed; the message carries the command and its stderr.</exception>
    public async Task ApplyAsync(string netns, CancellationToken ct = default)
    {
        foreach (var family in Families)
        {
            // Route before rule before capture (Istio's order): capture is only useful once replies can come back.
            await Ip(netns, family, ct, "route", "replace", "local", family.AnyLocal, "dev", "lo", "table", Num(RouteTable));
            var rules = await Ip(netns, family, ct, "rule", "show", "pref", Num(RulePriority));
            if (!rules.Stdout.Contains($"{RuleSelector} lookup {RouteTable}", StringComparison.Ordinal))
                await Ip(netns, family, ct, "rule", "add", "fwmark", FwMark, "pref", Num(RulePriority), "lookup", Num(RouteTable));

            var state = await SaveAsync(netns, family, ct);
            var stale = state.Values.Where(t => !Tables.Contains(t.Name)).ToList();
            if (stale.Count > 0)
                await RemoveChainsAsync(netns, family, stale, ct); // e.g. raw chains left from when DNS capture was on
            var restore = Render(family, state);
            (await CommandRunner.RunInNetnsAsync(netns, restore, ct, family.Restore, "--noflush")).ThrowIfFailed();
        }
    }

    /// <summary>
    /// Removes everything <see cref="ApplyAsync"/> programs. No error when nothing is there. Tables the
    /// iptables-nft backend would leave behind empty are deleted, so iptables-save reads as before.
    /// </summary>
    /// <exception cref="CaptureCommandException">A command failed; the message carries the command and its stderr.</exception>
    public async Task RemoveAsync(string netns, CancellationToken ct = default)
    {
        foreach (var family in Families)
        {
            var state = await SaveAsync(netns, family, ct);
            await RemoveChainsAsync(netns, family, state.Values.ToList(), ct);

            await DeleteIfPresentAsync(netns, family, ct, ["rule", "del", "fwmark", FwMark, "pref", Num(RulePriority), "lookup", Num(RouteTable)],
                ["rule", "show", "pref", Num(RulePriority)], $"{RuleSelector} lookup {RouteTable}");
            await DeleteIfPresentAsync(netns, family, ct, ["route", "del", "local", family.AnyLocal, "dev", "lo", "table", Num(RouteTable)],
                ["route", "show", "table", Num(RouteTable)], "local default dev lo");
        }
    }

    private IEnumerable<IpFamily> Families => Options.Ipv6 ? [IpFamily.V4, IpFamily.V6] : [IpFamily.V4];

    private static async Task<IReadOnlyDictionary<string, IptablesTable>> SaveAsync(string netns, IpFamily family, CancellationToken ct)
    {
        var save = (await CommandRunner.RunInNetnsAsync(netns, "", ct, family.Save)).ThrowIfFailed();
        return IptablesSave.Parse(save.Stdout);
    }

    /// <summary>Deletes our jumps and chains from <paramref name="tables"/> in one restore, then prunes emptied nft tables.</summary>
    private static async Task RemoveChainsAsync(string netns, IpFamily family, IReadOnlyList<IptablesTable> tables, CancellationToken ct)
    {
        var script = new StringBuilder();
        var touched = new List<string>();
        foreach (var table in tables)
        {
            var ours = new[] { PreroutingChain, OutputChain }.Where(table.Chains.ContainsKey).ToList();
            // Every rule elsewhere that jumps to our chains (exact text from iptables-save, so -D matches it).
            var jumps = table.Rules.Where(r => !ours.Any(c => r.StartsWith($"-A {c} ", StringComparison.Ordinal))
                && (r.EndsWith($" -j {PreroutingChain}", StringComparison.Ordinal) || r.EndsWith($" -j {OutputChain}", StringComparison.Ordinal))).ToList();
            if (ours.Count == 0 && jumps.Count == 0)
                continue;
            touched.Add(table.Name);
            script.Append('*').Append(table.Name).Append('\n');
            foreach (var jump in jumps)
                script.Append("-D").Append(jump.AsSpan(2)).Append('\n');
            foreach (var chain in ours)
                script.Append("-F ").Append(chain).Append('\n');
            foreach (var chain in ours)
                script.Append("-X ").Append(chain).Append('\n');
            script.Append("COMMIT\n");
        }
        if (touched.Count == 0)
            return;
        (await CommandRunner.RunInNetnsAsync(netns, script.ToString(), ct, family.Restore, "--noflush")).ThrowIfFailed();
        await PruneEmptyNftTablesAsync(netns, family, touched, ct);
    }

    /// <summary>
    /// With the nf_tables backend a table exists only once something used it, and deleting our chains leaves it
    /// behind with empty built-in chains. Such a table does nothing, so drop it (best effort: needs the nft tool).
    /// </summary>
    private static async Task PruneEmptyNftTablesAsync(string netns, IpFamily family, IReadOnlyList<string> touched, CancellationToken ct)
    {
        var save = (await CommandRunner.RunInNetnsAsync(netns, "", ct, family.Save)).ThrowIfFailed();
        if (!save.Stdout.Contains("(nf_tables)", StringComparison.Ordinal))
            return;
        foreach (var table in IptablesSave.Parse(save.Stdout).Values.Where(t => touched.Contains(t.Name) && t.IsEmpty))
        {
            try
            {
                await CommandRunner.RunInNetnsAsync(netns, "", ct, "nft", "delete", "table", family.NftFamily, table.Name);
            }
            catch (CaptureCommandException)
            {
                // nft not installed: the empty table stays; harmless.
            }
        }
    }

    private static async Task DeleteIfPresentAsync(string netns, IpFamily family, CancellationToken ct, string[] delete, string[] show, string marker)
    {
        // Delete until gone (duplicates are possible if someone added the rule by hand); "absent" is success.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var result = await CommandRunner.RunInNetnsAsync(netns, "", ct, ["ip", family.IpFlag, .. delete]);
            if (result.Succeeded)
                continue;
            var listing = await CommandRunner.RunInNetnsAsync(netns, "", ct, ["ip", family.IpFlag, .. show]);
            if (!listing.Succeeded || !listing.Stdout.Contains(marker, StringComparison.Ordinal))
                return; // not there (a missing table 100 makes "show" fail too)
            result.ThrowIfFailed();
        }
    }

    private static async Task<CommandResult> Ip(string netns, IpFamily family, CancellationToken ct, params string[] args) =>
        (await CommandRunner.RunInNetnsAsync(netns, "", ct, ["ip", family.IpFlag, .. args])).ThrowIfFailed();

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
