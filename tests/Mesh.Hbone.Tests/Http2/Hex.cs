namespace Mesh.Hbone.Tests.Http2;

internal static class Hex
{
    /// <summary>Parses RFC-style hex dumps ("8286 8441 ..."), ignoring whitespace.</summary>
    public static byte[] Parse(string hex) =>
        Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));
}
