using System.Globalization;
using System.Text;

namespace Mesh.Integration.Tests.Harness;

/// <summary>
/// One ztunnel access log line (logfmt, <c>scope=access msg="connection complete"</c>, Istio ztunnel's field names): the
/// one line a ztunnel writes per finished connection, parsed into its fields.
/// </summary>
public sealed record AccessLogLine(IReadOnlyDictionary<string, string> Fields, string Text)
{
    public string? this[string key] => Fields.TryGetValue(key, out var value) ? value : null;

    public string Direction => this["direction"] ?? "";
    public bool Inbound => Direction == "inbound";
    public bool Outbound => Direction == "outbound";

    /// <summary>Carried in HBONE (the line names the CONNECT's target); plain TCP lines have no <c>dst.hbone_addr</c>.</summary>
    public bool Hbone => this["dst.hbone_addr"] is not null;

    /// <summary>The IP of <c>src.addr</c> (inbound HBONE: the tunnel's peer; outbound and plaintext: the client socket).</summary>
    public string SourceIp => Host(this["src.addr"]);
    public string SourcePort => Port(this["src.addr"]);
    public string DestinationIp => Host(this["dst.addr"]);
    public string DestinationPort => Port(this["dst.addr"]);

    public long BytesSent => long.Parse(this["bytes_sent"] ?? "-1", CultureInfo.InvariantCulture);
    public long BytesReceived => long.Parse(this["bytes_recv"] ?? "-1", CultureInfo.InvariantCulture);

    public override string ToString() => Text;

    /// <summary>Every access log line in a member's log (other log lines share the file and are skipped).</summary>
    public static IReadOnlyList<AccessLogLine> Parse(string log) => log.Split('\n')
        .Where(l => l.Contains(" scope=access ", StringComparison.Ordinal) && l.Contains("msg=\"connection complete\"", StringComparison.Ordinal))
        .Select(l => new AccessLogLine(Logfmt(l.TrimEnd('\r')), l.TrimEnd('\r')))
        .ToList();

    private static string Host(string? endpoint) => endpoint is null ? "" : endpoint[..endpoint.LastIndexOf(':')];
    private static string Port(string? endpoint) => endpoint is null ? "" : endpoint[(endpoint.LastIndexOf(':') + 1)..];

    /// <summary>key=value pairs; a value is bare, or double-quoted with backslash escapes.</summary>
    private static Dictionary<string, string> Logfmt(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] == ' ') i++;
            var eq = line.IndexOf('=', i);
            if (eq < 0) break;
            var key = line[i..eq];
            i = eq + 1;
            var value = new StringBuilder();
            if (i < line.Length && line[i] == '"')
            {
                for (i++; i < line.Length && line[i] != '"'; i++)
                {
                    if (line[i] == '\\' && i + 1 < line.Length) i++;
                    value.Append(line[i]);
                }
                i++; // closing quote
            }
            else
            {
                for (; i < line.Length && line[i] != ' '; i++) value.Append(line[i]);
            }
            fields[key] = value.ToString();
        }
        return fields;
    }
}
