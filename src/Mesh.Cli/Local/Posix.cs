using System.Globalization;
using System.Runtime.InteropServices;

namespace Mesh.Cli.Local;

/// <summary>The few libc calls local mode needs (.NET has no managed API for these).</summary>
public static partial class Posix
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static partial int SetSid();

    public static bool IsRoot => OperatingSystem.IsLinux() && GetEuid() == 0;

    public static bool Signal(int pid, int signal) => OperatingSystem.IsLinux() && Kill(pid, signal) == 0;

    /// <summary>Alive and not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (!OperatingSystem.IsLinux() || pid <= 0 || Kill(pid, 0) != 0) return false;
        var stat = ReadStat(pid);
        return stat is not null && StatField(stat, 3) is not ("Z" or "X");
    }

    /// <summary>The process's start time (clock ticks since boot), which tells a pid's reuse apart; null when gone.</summary>
    public static string? StartTime(int pid) => ReadStat(pid) is { } stat ? StatField(stat, 22) : null;

    /// <summary>Leaves the caller's session so that closing the terminal does not reach the process.</summary>
    public static void NewSession()
    {
        if (OperatingSystem.IsLinux()) SetSid(); // fails only if already a group leader, which is fine
    }

    private static string? ReadStat(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Field n (1-based) of /proc/pid/stat; the command name (field 2) may contain spaces, so count after its ')'.</summary>
    private static string? StatField(string stat, int n)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var rest = stat[(close + 2)..].Split(' ');
        var index = n - 3;
        return index >= 0 && index < rest.Length ? rest[index] : null;
    }
}
