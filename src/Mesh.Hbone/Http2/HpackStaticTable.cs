namespace Mesh.Hbone.Http2;

/// <summary>The RFC 7541 Appendix A static table (1-based indices 1..61).</summary>
internal static class HpackStaticTable
{
    public const int Count = 61;

    private static readonly HeaderField[] Entries =
    [
        new(":authority", ""),
        new(":method", "GET"),
        new(":method", "POST"),
        new(":path", "/"),
        new(":path", "/index.html"),
        new(":scheme", "http"),
        new(":scheme", "https"),
        new(":status", "200"),
        new(":status", "204"),
        new(":status", "206"),
        new(":status", "304"),
        new(":status", "400"),
        new(":status", "404"),
        new(":status", "500"),
        new("accept-charset", ""),
        new("accept-encoding", "gzip, deflate"),
        new("accept-language", ""),
        new("accept-ranges", ""),
        new("accept", ""),
        new("access-control-allow-origin", ""),
        new("age", ""),
        new("allow", ""),
        new("authorization", ""),
        new("cache-control", ""),
        new("content-disposition", ""),
        new("content-encoding", ""),
        new("content-language", ""),
        new("content-length", ""),
        new("content-location", ""),
        new("content-range", ""),
        new("content-type", ""),
        new("cookie", ""),
        new("date", ""),
        new("etag", ""),
        new("expect", ""),
        new("expires", ""),
        new("from", ""),
        new("host", ""),
        new("if-match", ""),
        new("if-modified-since", ""),
        new("if-none-match", ""),
        new("if-range", ""),
        new("if-unmodified-since", ""),
        new("last-modified", ""),
        new("link", ""),
        new("location", ""),
        new("max-forwards", ""),
        new("proxy-authenticate", ""),
        new("proxy-authorization", ""),
        new("range", ""),
        new("referer", ""),
        new("refresh", ""),
        new("retry-after", ""),
        new("server", ""),
        new("set-cookie", ""),
        new("strict-transport-security", ""),
        new("transfer-encoding", ""),
        new("user-agent", ""),
        new("vary", ""),
        new("via", ""),
        new("www-authenticate", ""),
    ];

    // Encoder look-ups: exact (name, value) match and first index for a name.
    private static readonly Dictionary<(string, string), int> ByField = BuildByField();
    private static readonly Dictionary<string, int> ByName = BuildByName();

    /// <summary>Entry for a 1-based index in 1..<see cref="Count"/>.</summary>
    public static HeaderField Get(int index) => Entries[index - 1];

    public static bool TryFindField(string name, string value, out int index) =>
        ByField.TryGetValue((name, value), out index);

    public static bool TryFindName(string name, out int index) => ByName.TryGetValue(name, out index);

    private static Dictionary<(string, string), int> BuildByField()
    {
        var map = new Dictionary<(string, string), int>();
        for (var i = 0; i < Entries.Length; i++)
            map.TryAdd((Entries[i].Name, Entries[i].Value), i + 1);
        return map;
    }

    private static Dictionary<string, int> BuildByName()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Entries.Length; i++)
            map.TryAdd(Entries[i].Name, i + 1);
        return map;
    }
}
