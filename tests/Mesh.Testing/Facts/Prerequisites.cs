using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.Testing;

/// <summary>
/// What a test needs from the machine, answered as a skip reason (null: available). The facts in this folder use
/// it; scripts/test.sh fails the run as root when any test other than a benchmark was skipped, so a missing tool
/// shows up as a named failure in CI instead of a quiet green.
/// </summary>
public static class Prerequisites
{
    /// <summary>Debian's python3: python3-h2 is installed for it, not for a pyenv python3 earlier on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly ConcurrentDictionary<string, string?> PythonModules = new();

    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;

    public static string? Root() =>
        IsRoot ? null : "requires root (network namespaces, veths, iptables): run as root, as CI does";

    /// <summary>The full path of <paramref name="tool"/> (a name looked up on PATH, or an absolute path), or null.</summary>
    public static string? Find(string tool)
    {
        if (Path.IsPathRooted(tool)) return File.Exists(tool) ? tool : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
    }

    public static string? Tool(string tool) =>
        Find(tool) is null ? $"requires '{tool}' on PATH (scripts/prereqs.sh installs it)" : null;

    /// <summary>Whether <see cref="Python"/> can import <paramref name="module"/> (checked once per module).</summary>
    public static string? PythonModule(string module) => PythonModules.GetOrAdd(module, static m =>
    {
        if (!File.Exists(Python)) return $"requires {Python} (apt-get install python3)";
        try
        {
            using var check = Process.Start(new ProcessStartInfo(Python, ["-c", $"import {m}"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            if (!check.WaitForExit(30_000))
            {
                check.Kill();
                return $"{Python} -c 'import {m}' did not finish within 30 s";
            }
            return check.ExitCode == 0 ? null : $"requires the python module '{m}' for {Python} (apt-get install python3-{m})";
        }
        catch (Exception e)
        {
            return $"{Python} could not run: {e.Message}";
        }
    });

    /// <summary>Every missing prerequisite among root (when asked), the tools and the python modules, or null when none is.</summary>
    public static string? Check(bool root, IEnumerable<string> tools, IEnumerable<string> pythonModules)
    {
        var missing = (root ? [Root()] : Array.Empty<string?>())
            .Concat(tools.Select(Tool))
            .Concat(pythonModules.Select(PythonModule))
            .OfType<string>()
            .ToList();
        return missing.Count == 0 ? null : string.Join("; ", missing);
    }
}
