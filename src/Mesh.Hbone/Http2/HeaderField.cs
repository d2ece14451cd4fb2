namespace Mesh.Hbone.Http2;

/// <summary>One decoded or to-be-encoded header field. Names and values hold octets as Latin-1 chars.</summary>
public readonly record struct HeaderField(string Name, string Value)
{
    /// <summary>RFC 7541 §4.1 entry size: octets of name and value plus 32 bytes of overhead.</summary>
    public int Size => Name.Length + Value.Length + 32;

    public override string ToString() => $"{Name}: {Value}";
}
