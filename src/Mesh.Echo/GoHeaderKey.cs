namespace Mesh.Echo;

/// <summary>
/// Go's <c>textproto.CanonicalMIMEHeaderKey</c>: echo-basic reports request headers under these keys
/// ("user-agent" → "User-Agent"), and conformance suites compare against them.
/// </summary>
public static class GoHeaderKey
{
    public static string Canonicalize(string name)
    {
        // Go leaves keys with non-token bytes untouched; it also skips work when already canonical.
        var needsChange = false;
        var upper = true;
        foreach (var c in name)
        {
            if (!IsTokenChar(c))
            {
                return name;
            }

            if ((upper && char.IsAsciiLetterLower(c)) || (!upper && char.IsAsciiLetterUpper(c)))
            {
                needsChange = true;
            }

            upper = c == '-';
        }

        if (!needsChange)
        {
            return name;
        }

        return string.Create(name.Length, name, static (span, source) =>
        {
            var upperNext = true;
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = upperNext ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
                upperNext = c == '-';
            }
        });
    }

    /// <summary>RFC 9110 token characters, the only ones allowed in a header field name.</summary>
    public static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
