using System.Diagnostics;

namespace Mesh.Hbone.Tests.Interop;

/// <summary>Debian's python3 with python3-h2 (not the pyenv python on PATH, which lacks h2).</summary>
internal static class PythonH2
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python))
            return $"{Python} not found";
        try
        {
            using var check = Process.Start(new ProcessStartInfo(Python, ["-c", "import h2"]) { RedirectStandardError = true })!;
            check.WaitForExit(30_000);
            return check.ExitCode == 0 ? null : $"{Python} has no h2 module (apt install python3-h2)";
        }
        catch (Exception e)
        {
            return $"{Python} could not run: {e.Message}";
        }
    });

    public static string? SkipReason => Missing.Value;

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);

    public static ProcessStartInfo Start(string script, params string[] args)
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Script(script));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return info;
    }
}

/// <summary>A fact that needs python3-h2; skipped with the reason when it is missing, never silently passed.</summary>
public sealed class PythonH2FactAttribute : FactAttribute
{
    public PythonH2FactAttribute()
    {
        if (PythonH2.SkipReason is { } reason)
            Skip = reason;
    }
}
