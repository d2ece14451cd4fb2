namespace Mesh.Cli.Local;

/// <summary>A failure of local mode that the user sees as one line (e.g. "port 9110 is already in use").</summary>
public sealed class LocalModeException(string message, Exception? inner = null) : Exception(message, inner);
