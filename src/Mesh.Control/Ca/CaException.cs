namespace Mesh.Control.Ca;

/// <summary>A CA configuration problem or a refused signing request; the message says which and why.</summary>
public sealed class CaException : Exception
{
    public CaException(string message) : base(message) { }
    public CaException(string message, Exception inner) : base(message, inner) { }
}
