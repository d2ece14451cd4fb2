using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Mesh.Echo;

/// <summary>
/// echo-basic's <c>X-Echo-Set-Header: Name: value, Other: value</c>: each comma-separated pair becomes a response header.
/// Names keep their exact casing; a repeated name (same casing) gets its values joined with ",".
/// Invalid names are dropped, as Go's header writer does.
/// </summary>
internal static class EchoSetHeader
{
    public const string RequestHeader = "X-Echo-Set-Header";

    public static void Apply(IHeaderDictionary requestHeaders, IHeaderDictionary responseHeaders)
    {
        if (!requestHeaders.TryGetValue(RequestHeader, out var directives))
        {
            return;
        }

        // Go keys by exact name, so "X-A" and "x-a" are two headers; collect first, then emit.
        var collected = new List<KeyValuePair<string, string>>();
        foreach (var directive in directives)
        {
            foreach (var pair in (directive ?? "").Split(','))
            {
                var trimmed = pair.Trim();
                var colon = trimmed.IndexOf(':');
                var name = colon < 0 ? trimmed : trimmed[..colon];
                var value = colon < 0 ? "" : trimmed[(colon + 1)..].Trim();
                var index = collected.FindIndex(kv => kv.Key == name);
                if (index < 0)
                {
                    collected.Add(new(name, value));
                }
                else
                {
                    collected[index] = new(name, collected[index].Value + "," + value);
                }
            }
        }

        foreach (var (name, value) in collected)
        {
            if (name.Length == 0 || !name.All(GoHeaderKey.IsTokenChar))
            {
                continue;
            }

            responseHeaders[name] = responseHeaders.TryGetValue(name, out var existing)
                ? StringValues.Concat(existing, value)
                : new StringValues(value);
        }
    }
}
