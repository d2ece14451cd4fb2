namespace Mesh.Cli;

/// <summary>
/// meshctl's exit codes. Usage errors (unknown verb, missing argument, malformed HOST:PORT) are System.CommandLine
/// parse errors and share <see cref="Failure"/> with server-side failures; only "nobody answered" gets its own code.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Usage error, HTTP error status, or a command the server refused (CommandResult.Ok = false).</summary>
    public const int Failure = 1;
    /// <summary>The command endpoint could not be reached.</summary>
    public const int Unreachable = 2;
    /// <summary>Interrupted (Ctrl-C) outside of streaming views, like a shell's 128 + SIGINT.</summary>
    public const int Interrupted = 130;
}
