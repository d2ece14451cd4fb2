using System.Net;
using System.Text;

namespace Mesh.Node.Proxy.Socks5;

/// <summary>Checks of the DOMAINNAME a SOCKS5 client sends, before anything resolves it.</summary>
internal static class Hostnames
{
    private const int MaxName = 253;
    private const int MaxLabel = 63;

    /// <summary>
    /// A DNS host name: ASCII letters, digits, '-' and '_' (service records and some cluster names use it),
    /// dot-separated labels of 1-63 characters that neither start nor end with '-', 253 characters at most,
    /// an optional trailing dot. Returned lower-case without the trailing dot, the form mesh names are kept in.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<byte> name, out string hostname)
    {
        hostname = "";
        if (name.Length > 0 && name[^1] == (byte)'.') name = name[..^1];
        if (name.Length is 0 or > MaxName) return false;
        var labelStart = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i == name.Length || name[i] == (byte)'.')
            {
                var label = name[labelStart..i];
                if (label.Length is 0 or > MaxLabel || label[0] == (byte)'-' || label[^1] == (byte)'-') return false;
                labelStart = i + 1;
                continue;
            }
            var c = name[i];
            var ok = c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_';
            if (!ok) return false;
        }
        hostname = Encoding.ASCII.GetString(name).ToLowerInvariant();
        return true;
    }

    /// <summary>
    /// Some clients send an address as DOMAINNAME ("127.0.0.1", "::1"). Only full dotted quads and IPv6 text count:
    /// IPAddress.TryParse alone would also take "1" or "0x7f.1".
    /// </summary>
    public static bool TryParseAddressLiteral(ReadOnlySpan<byte> name, out IPAddress address)
    {
        address = IPAddress.None;
        if (name.Length is 0 or > 45) return false;
        var text = Encoding.ASCII.GetString(name);
        if (text.Contains(':'))
        {
            var bracketed = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
            if (!IPAddress.TryParse(bracketed, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return false;
            address = v6;
            return true;
        }
        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit))) return false;
        if (!IPAddress.TryParse(text, out var v4)) return false;
        address = v4;
        return true;
    }
}
