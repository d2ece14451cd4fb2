using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mesh.Node.Telemetry.AccessLog;

/// <summary>
/// Renders one access log line (with its newline). Both formats carry the same leading fields as ztunnel's log —
/// time, level (<c>info</c>, or <c>error</c> for a failed connection), scope <c>access</c>, message
/// <c>connection complete</c> — followed by <see cref="AccessLogEntry.Fields"/>.
/// </summary>
public static class AccessLogFormatter
{
    public const string Message = "connection complete";

    public static void Write(AccessLogFormat format, in AccessLogEntry entry, IBufferWriter<byte> output)
    {
        if (format == AccessLogFormat.Json) WriteJson(entry, output);
        else WriteLogfmt(entry, output);
    }

    public static string Format(AccessLogFormat format, in AccessLogEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(format, entry, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Time(in AccessLogEntry entry) =>
        entry.End.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    private static string Level(in AccessLogEntry entry) => entry.Failure is null ? "info" : "error";

    private static void WriteJson(in AccessLogEntry entry, IBufferWriter<byte> output)
    {
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("time", Time(entry));
            json.WriteString("level", Level(entry));
            json.WriteString("scope", "access");
            json.WriteString("message", Message);
            foreach (var (key, value, number) in entry.Fields())
            {
                if (number) json.WriteNumber(key, long.Parse(value, CultureInfo.InvariantCulture));
                else json.WriteString(key, value);
            }
            json.WriteEndObject();
        }
        output.Write("\n"u8);
    }

    private static void WriteLogfmt(in AccessLogEntry entry, IBufferWriter<byte> output)
    {
        var line = new StringBuilder(512);
        line.Append("time=").Append(Time(entry)).Append(" level=").Append(Level(entry))
            .Append(" scope=access msg=\"").Append(Message).Append('"');
        foreach (var (key, value, _) in entry.Fields())
        {
            line.Append(' ').Append(key).Append('=');
            AppendValue(line, value);
        }
        line.Append('\n');
        var text = line.ToString();
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>logfmt: bare when safe, else double-quoted with \" \\ \n \r \t escaped (control characters as \u00XX).</summary>
    internal static void AppendValue(StringBuilder line, string value)
    {
        var needsQuotes = value.Length == 0;
        foreach (var ch in value)
            if (ch <= ' ' || ch == '"' || ch == '=' || ch == '\\' || ch == 0x7f) { needsQuotes = true; break; }
        if (!needsQuotes)
        {
            line.Append(value);
            return;
        }
        line.Append('"');
        foreach (var ch in value)
        {
            switch (ch)
            {
                case '"': line.Append("\\\""); break;
                case '\\': line.Append("\\\\"); break;
                case '\n': line.Append("\\n"); break;
                case '\r': line.Append("\\r"); break;
                case '\t': line.Append("\\t"); break;
                default:
                    if (ch < ' ' || ch == 0x7f) line.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    else line.Append(ch);
                    break;
            }
        }
        line.Append('"');
    }
}
