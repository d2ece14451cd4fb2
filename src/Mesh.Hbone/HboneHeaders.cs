using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Mesh.Hbone.Client;
using Mesh.Hbone.Http2;

namespace Mesh.Hbone;

/// <summary>The HBONE CONNECT request as ztunnel sends and expects it (classic CONNECT, RFC 9113 §8.5).</summary>
public static class HboneHeaders
{
    /// <summary>
    /// <c>:method CONNECT</c>, <c>:authority ip:port</c> (no <c>:scheme</c>/<c>:path</c>/<c>:protocol</c>),
    /// <c>forwarded: for="ip:port"</c>, and <c>baggage</c>/<c>traceparent</c> (a fresh W3C traceparent when none given).
    /// </summary>
    public static IReadOnlyList<HeaderField> ForConnect(HboneRequest request)
    {
        var headers = new List<HeaderField>(5)
        {
            new(":method", "CONNECT"),
            new(":authority", FormatEndPoint(request.Target)),
            new("forwarded", $"for=\"{FormatEndPoint(request.Client)}\""),
        };
        if (!string.IsNullOrEmpty(request.Baggage))
            headers.Add(new("baggage", request.Baggage));
        headers.Add(new("traceparent", string.IsNullOrEmpty(request.TraceParent) ? NewTraceParent() : request.TraceParent));
        return headers;
    }

    /// <summary><c>ip:port</c>, IPv6 in brackets (<c>[v6]:port</c>); IPv4-mapped addresses as plain IPv4.</summary>
    public static string FormatEndPoint(IPEndPoint endPoint)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{address}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// A W3C trace context: version 00, random trace and span ids, flags 00 (not sampled: the ztunnel records no spans,
    /// it only gives the peer and the waypoint an id to correlate with).
    /// </summary>
    public static string NewTraceParent()
    {
        Span<byte> ids = stackalloc byte[24];
        RandomNumberGenerator.Fill(ids);
        // All-zero ids are invalid; the odds are nil but the fix is free.
        ids[15] |= 1;
        ids[23] |= 1;
        return $"00-{Convert.ToHexStringLower(ids[..16])}-{Convert.ToHexStringLower(ids[16..])}-00";
    }

    /// <summary>
    /// Checks a received request: <c>:method</c> CONNECT, a literal <c>ip:port</c> <c>:authority</c>, no
    /// <c>:scheme</c>/<c>:path</c>/<c>:protocol</c>. Returns null and the target, or the reason for a 400.
    /// </summary>
    public static string? ValidateConnect(IReadOnlyList<HeaderField> headers, out IPEndPoint? target, out IPEndPoint? forwardedFor)
    {
        target = null;
        forwardedFor = null;
        string? method = null, authority = null;
        foreach (var (name, value) in headers)
        {
            switch (name)
            {
                case ":method":
                    if (method is not null) return "duplicate :method";
                    method = value;
                    break;
                case ":authority":
                    if (authority is not null) return "duplicate :authority";
                    authority = value;
                    break;
                case ":scheme" or ":path" or ":protocol":
                    return $"classic CONNECT carries no {name}";
                case "forwarded":
                    forwardedFor ??= ParseForwardedFor(value);
                    break;
                default:
                    if (name.StartsWith(':'))
                        return $"unknown pseudo-header {name}";
                    break;
            }
        }
        if (method != "CONNECT")
            return $":method must be CONNECT, not {method ?? "(none)"}";
        if (authority is null)
            return "no :authority";
        if (!TryParseEndPoint(authority, requirePort: true, out target))
            return $":authority '{authority}' is not a literal ip:port";
        return null;
    }

    /// <summary>Strict literal <c>a.b.c.d:port</c> or <c>[v6]:port</c> (port 1–65535); no names, no shorthand IPv4.</summary>
    public static bool TryParseEndPoint(string value, bool requirePort, out IPEndPoint? endPoint)
    {
        endPoint = null;
        string host;
        string? port = null;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']');
            if (close < 0) return false;
            host = value[1..close];
            var rest = value[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':') return false;
                port = rest[1..];
            }
            if (!host.Contains(':')) return false;
        }
        else
        {
            var colon = value.LastIndexOf(':');
            host = colon < 0 ? value : value[..colon];
            port = colon < 0 ? null : value[(colon + 1)..];
            // IPAddress.TryParse takes "10" or "10.1" as IPv4; a literal here means four dotted decimals.
            if (host.Count(c => c == '.') != 3 || host.Any(c => c is not (>= '0' and <= '9') and not '.')) return false;
        }
        if (!IPAddress.TryParse(host, out var address)) return false;
        var portNumber = 0;
        if (port is null)
        {
            if (requirePort) return false;
        }
        else if (port.Length is 0 or > 5 || port.Any(c => c is < '0' or > '9') ||
                 (portNumber = int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture)) is < 1 or > 65535)
        {
            return false;
        }
        endPoint = new IPEndPoint(address, portNumber);
        return true;
    }

    /// <summary>The first <c>for=</c> of a <c>forwarded</c> header (RFC 7239), quoted or not; port 0 when absent.</summary>
    public static IPEndPoint? ParseForwardedFor(string value)
    {
        foreach (var element in value.Split(','))
        {
            foreach (var pair in element.Split(';'))
            {
                var trimmed = pair.Trim();
                if (!trimmed.StartsWith("for=", StringComparison.OrdinalIgnoreCase))
                    continue;
                var node = trimmed[4..].Trim('"');
                return TryParseEndPoint(node, requirePort: false, out var endPoint) ? endPoint : null;
            }
        }
        return null;
    }
}
