namespace Mesh.Node.Capture;

/// <summary>A network namespace could not be opened or entered.</summary>
public sealed class NetworkNamespaceException(string message, Exception? inner = null) : Exception(message, inner);
