using System.Text;

namespace Mesh.Control.Ambient;

/// <summary>
/// FNV-1a (64 bit) over UTF-8: the same value in every process and on every run, unlike string.GetHashCode,
/// so that control replicas place pods and allocate addresses identically.
/// </summary>
internal static class StableHash
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Fnv1a(string text)
    {
        var hash = OffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }
}
