namespace Mesh.Cli.Local.Network;

/// <summary>
/// The undo side of every resource kind in the <see cref="Ledger"/>. Each operation must succeed quietly when the
/// resource is already gone, so replaying a ledger twice (or after the supervisor already cleaned up) is safe.
/// </summary>
public interface IHostResources
{
    void KillProcess(int pid, string? startTime);
    void DeleteNetns(string name);
    void DeleteLink(string name);
    void DeleteIptablesRule(string table, IReadOnlyList<string> rule);
    /// <summary>Deletes the nftables table (e.g. "ip filter") if no rules are left in it (iptables-nft creates it on first use).</summary>
    void DeleteEmptyNftTable(string table);
    void RestoreSysctl(string path, string value);
    void DeleteDirectory(string path);
}
