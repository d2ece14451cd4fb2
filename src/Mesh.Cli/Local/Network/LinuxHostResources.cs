namespace Mesh.Cli.Local.Network;

/// <summary>Undo operations on the real host (ip, iptables, /proc/sys, files), tolerant of already-gone resources.</summary>
public sealed class LinuxHostResources(ICommandRunner runner) : IHostResources
{
    public void KillProcess(int pid, string? startTime)
    {
        // Only the process we started: a recycled pid has another start time.
        if (!Posix.IsAlive(pid) || (startTime is not null && Posix.StartTime(pid) != startTime)) return;
        Posix.Signal(pid, Posix.SIGKILL);
        for (var i = 0; i < 100 && Posix.IsAlive(pid); i++) Thread.Sleep(20); // the kernel reaps asynchronously
    }

    public void DeleteNetns(string name)
    {
        if (!File.Exists(LocalNames.NetnsPath(name))) return;
        var result = runner.Run("ip", "netns", "delete", name);
        if (!result.Ok && File.Exists(LocalNames.NetnsPath(name))) throw new LocalModeException(result.Stderr);
    }

    public void DeleteLink(string name)
    {
        if (!Directory.Exists($"/sys/class/net/{name}")) return;
        var result = runner.Run("ip", "link", "delete", name);
        if (!result.Ok && Directory.Exists($"/sys/class/net/{name}")) throw new LocalModeException(result.Stderr);
    }

    public void DeleteIptablesRule(string table, IReadOnlyList<string> rule)
    {
        var spec = rule.ToArray();
        // -C first: deleting a missing rule is an error, and a rule inserted twice is removed once per entry.
        if (!runner.Run("iptables", ["-t", table, "-C", .. spec]).Ok) return;
        CommandRunner.Must(runner, "iptables", ["-t", table, "-D", .. spec]);
    }

    public void DeleteEmptyNftTable(string table)
    {
        var parts = table.Split(' ');
        if (!runner.Run("nft", "list", "table", parts[0], parts[1]).Ok) return;
        // Someone else's rules arrived meanwhile: then the table is theirs too, and stays.
        if (runner.Run("iptables-save", "-t", parts[1]).Stdout.Contains("\n-A ", StringComparison.Ordinal)) return;
        CommandRunner.Must(runner, "nft", "delete", "table", parts[0], parts[1]);
    }

    public void RestoreSysctl(string path, string value)
    {
        if (File.Exists(path)) File.WriteAllText(path, value + "\n");
    }

    public void DeleteDirectory(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }
}
