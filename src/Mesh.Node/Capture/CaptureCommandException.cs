namespace Mesh.Node.Capture;

/// <summary>A command that programs a pod netns (iptables-restore, ip rule, ...) failed.</summary>
public sealed class CaptureCommandException(string command, int exitCode, string stderr)
    : Exception($"'{command}' exited with {exitCode}: {stderr.Trim()}")
{
    /// <summary>The command line as run.</summary>
    public string Command { get; } = command;

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>What the command wrote to stderr.</summary>
    public string Stderr { get; } = stderr;
}
