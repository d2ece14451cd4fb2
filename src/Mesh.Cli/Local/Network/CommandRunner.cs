using System.Diagnostics;

namespace Mesh.Cli.Local.Network;

public sealed record CommandOutput(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;
}

/// <summary>Runs host tools (ip, iptables); an interface so unit tests can replace it.</summary>
public interface ICommandRunner
{
    CommandOutput Run(string program, params string[] args);
}

public sealed class CommandRunner : ICommandRunner
{
    public static readonly CommandRunner Instance = new();

    public CommandOutput Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new CommandOutput(process.ExitCode, stdout, stderr.Result.Trim());
    }

    /// <summary>Runs and throws with the tool's own words when it fails.</summary>
    public static CommandOutput Must(ICommandRunner runner, string program, params string[] args)
    {
        var result = runner.Run(program, args);
        if (!result.Ok)
            throw new LocalModeException($"'{program} {string.Join(' ', args)}' failed: {(result.Stderr.Length > 0 ? result.Stderr : $"exit {result.ExitCode}")}");
        return result;
    }
}
