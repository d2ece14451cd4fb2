using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Cli.Local.Network;

/// <summary>One host resource local mode created (or changed), written down <em>before</em> it is created.</summary>
public sealed record LedgerEntry(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string? Value = null,
    [property: JsonPropertyName("args")] IReadOnlyList<string>? Args = null)
{
    public const string Netns = "netns";
    public const string Link = "link";          // a veth host end or a bridge; deleting it is enough
    public const string Iptables = "iptables";  // Name = table, Args = rule spec (chain first)
    public const string NftTable = "nft-table"; // Name = "family table"; a table iptables-nft created for our rules
    public const string Sysctl = "sysctl";      // Name = /proc/sys path, Value = the value before we changed it
    public const string Directory = "dir";
    public const string Process = "process";    // Name = pid, Value = start time (guards against pid reuse)
}

/// <summary>
/// Append-only record of everything <c>up</c> created, so that <c>down</c> — run by the supervisor, by a later
/// <c>meshctl local down</c>, or after a crash that killed everything — can undo it in reverse order. Each entry is
/// written and flushed before the resource exists: a crash between the two leaves an entry whose undo finds nothing,
/// which replay tolerates.
/// </summary>
public sealed class Ledger(string path)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly object _gate = new();

    public string Path { get; } = path;

    public void Record(LedgerEntry entry)
    {
        lock (_gate)
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(JsonSerializer.Serialize(entry, Json));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
    }

    public IReadOnlyList<LedgerEntry> Read()
    {
        lock (_gate)
        {
            if (!File.Exists(Path)) return [];
            var entries = new List<LedgerEntry>();
            foreach (var line in File.ReadAllLines(Path))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                // A line torn by a crash mid-write is skipped: its resource was never created.
                try { if (JsonSerializer.Deserialize<LedgerEntry>(line, Json) is { } entry) entries.Add(entry); }
                catch (JsonException) { }
            }
            return entries;
        }
    }

    /// <summary>
    /// Undoes every entry, newest first (processes die before their netns, links before their bridge, the sysctl is
    /// restored last). Already-gone resources are fine; entries whose undo failed stay in the ledger for the next try.
    /// </summary>
    public IReadOnlyList<string> Replay(IHostResources host)
    {
        lock (_gate)
        {
            var entries = Read();
            var failed = new List<LedgerEntry>();
            var errors = new List<string>();
            // Undo each resource once, at its newest position (a pod recreated under the same name appears twice).
            var done = new HashSet<(string, string, string)>();
            for (var i = entries.Count - 1; i >= 0; i--)
            {
                var entry = entries[i];
                if (!done.Add((entry.Kind, entry.Name, entry.Kind == LedgerEntry.Iptables ? string.Join(' ', entry.Args ?? []) : "")))
                    continue;
                try { Undo(host, entry); }
                catch (Exception e)
                {
                    failed.Insert(0, entry);
                    errors.Add($"{entry.Kind} {entry.Name}: {e.Message}");
                }
            }
            if (failed.Count == 0) File.Delete(Path);
            else File.WriteAllLines(Path, failed.Select(f => JsonSerializer.Serialize(f, Json)));
            return errors;
        }
    }

    private static void Undo(IHostResources host, LedgerEntry entry)
    {
        switch (entry.Kind)
        {
            case LedgerEntry.Process: host.KillProcess(int.Parse(entry.Name, System.Globalization.CultureInfo.InvariantCulture), entry.Value); break;
            case LedgerEntry.Netns: host.DeleteNetns(entry.Name); break;
            case LedgerEntry.Link: host.DeleteLink(entry.Name); break;
            case LedgerEntry.Iptables: host.DeleteIptablesRule(entry.Name, entry.Args ?? []); break;
            case LedgerEntry.NftTable: host.DeleteEmptyNftTable(entry.Name); break;
            case LedgerEntry.Sysctl: host.RestoreSysctl(entry.Name, entry.Value ?? ""); break;
            case LedgerEntry.Directory: host.DeleteDirectory(entry.Name); break;
            default: throw new InvalidOperationException($"unknown ledger entry kind '{entry.Kind}'");
        }
    }
}
