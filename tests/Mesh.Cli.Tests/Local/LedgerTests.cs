using Mesh.Cli.Local.Network;

namespace Mesh.Cli.Tests.Local;

/// <summary>Ledger replay against fake resources: each "resource" is a file in a temp dir.</summary>
public sealed class LedgerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ledger-").FullName;

    private sealed class FakeHost(string dir) : IHostResources
    {
        public List<string> Undone { get; } = [];
        public string File(string kind, string name) => Path.Combine(dir, $"{kind}-{name.Replace('/', '_').Replace(' ', '_')}");
        public void Create(string kind, string name) => System.IO.File.WriteAllText(File(kind, name), "");
        private void Remove(string kind, string name)
        {
            Undone.Add($"{kind} {name}");
            System.IO.File.Delete(File(kind, name)); // a missing file is fine: already gone
        }
        public void KillProcess(int pid, string? startTime) => Remove("process", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        public void DeleteNetns(string name) => Remove("netns", name);
        public void DeleteLink(string name) => Remove("link", name);
        public void DeleteIptablesRule(string table, IReadOnlyList<string> rule) => Remove("iptables", string.Join(' ', rule));
        public void DeleteEmptyNftTable(string table) => Remove("nft-table", table);
        public void RestoreSysctl(string path, string value) => System.IO.File.WriteAllText(File("sysctl", "ip_forward"), value);
        public void DeleteDirectory(string path) => Remove("dir", path);
    }

    private (Ledger, FakeHost) Setup()
    {
        var ledger = new Ledger(Path.Combine(_dir, "state", "ledger.jsonl"));
        var host = new FakeHost(_dir);
        host.RestoreSysctl("", "1");
        void Create(LedgerEntry entry)
        {
            ledger.Record(entry);
            if (entry.Kind != LedgerEntry.Sysctl) host.Create(entry.Kind, entry.Kind == LedgerEntry.Iptables ? string.Join(' ', entry.Args!) : entry.Name);
        }
        Create(new LedgerEntry(LedgerEntry.Sysctl, "/proc/sys/net/ipv4/ip_forward", "0"));
        Create(new LedgerEntry(LedgerEntry.Iptables, "filter", Args: ["FORWARD", "-i", "mabr+", "-j", "ACCEPT"]));
        Create(new LedgerEntry(LedgerEntry.Link, "mabr0"));
        Create(new LedgerEntry(LedgerEntry.Netns, "ma_demo_a"));
        Create(new LedgerEntry(LedgerEntry.Link, "mav00000001"));
        Create(new LedgerEntry(LedgerEntry.Directory, "/etc/netns/ma_demo_a"));
        Create(new LedgerEntry(LedgerEntry.Process, "4242", "123"));
        return (ledger, host);
    }

    [Fact]
    public void Replay_undoes_everything_newest_first_and_restores_the_sysctl()
    {
        var (ledger, host) = Setup();

        Assert.Empty(ledger.Replay(host));

        Assert.Equal(["process 4242", "dir /etc/netns/ma_demo_a", "link mav00000001", "netns ma_demo_a", "link mabr0", "iptables FORWARD -i mabr+ -j ACCEPT"], host.Undone);
        Assert.Equal("0", File.ReadAllText(host.File("sysctl", "ip_forward")));
        Assert.Equal(["sysctl-ip_forward"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.False(File.Exists(ledger.Path));
    }

    [Fact]
    public void Replay_twice_or_after_resources_vanished_is_safe()
    {
        var (ledger, host) = Setup();
        File.Delete(host.File("netns", "ma_demo_a")); // e.g. the supervisor already removed the pod

        Assert.Empty(ledger.Replay(host));
        Assert.Empty(ledger.Replay(host));
        Assert.Equal("0", File.ReadAllText(host.File("sysctl", "ip_forward")));
    }

    [Fact]
    public void A_torn_last_line_is_ignored_and_repeated_resources_are_undone_once()
    {
        var (ledger, host) = Setup();
        ledger.Record(new LedgerEntry(LedgerEntry.Netns, "ma_demo_a")); // pod recreated
        File.AppendAllText(ledger.Path, "{\"kind\":\"netns\",\"na");

        Assert.Empty(ledger.Replay(host));
        Assert.Single(host.Undone, u => u == "netns ma_demo_a");
    }

    [Fact]
    public void Entries_whose_undo_failed_stay_for_the_next_replay()
    {
        var ledger = new Ledger(Path.Combine(_dir, "l.jsonl"));
        ledger.Record(new LedgerEntry("bogus", "x"));
        ledger.Record(new LedgerEntry(LedgerEntry.Link, "mabr0"));

        var errors = ledger.Replay(new FakeHost(_dir));

        Assert.Single(errors);
        Assert.Equal("bogus", Assert.Single(ledger.Read()).Kind);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
