using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Output;

/// <summary>
/// YAML rendering of the same document <c>-o json</c> prints (serialized with the contract's settings, then emitted as
/// block-style YAML), so both formats carry identical fields. Strings that YAML would read as something else
/// (numbers, booleans, null, leading indicators, ": ", " #") are double-quoted with JSON escapes, which YAML accepts.
/// </summary>
public static partial class YamlOutput
{
    public static void Write<T>(TextWriter output, T value)
    {
        using var document = JsonSerializer.SerializeToDocument(value, AdminJson.Options);
        var text = new StringBuilder();
        WriteRoot(text, document.RootElement);
        output.Write(text.ToString());
    }

    internal static string Render(JsonElement element)
    {
        var text = new StringBuilder();
        WriteRoot(text, element);
        return text.ToString();
    }

    private static void WriteRoot(StringBuilder text, JsonElement element)
    {
        if (IsScalarOrEmpty(element)) text.Append(Scalar(element)).Append('\n');
        else WriteBlock(text, element, 0);
    }

    private static bool IsScalarOrEmpty(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => !e.EnumerateObject().Any(),
        JsonValueKind.Array => e.GetArrayLength() == 0,
        _ => true,
    };

    private static void WriteBlock(StringBuilder text, JsonElement element, int indent)
    {
        var pad = new string(' ', indent);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                text.Append(pad).Append(Key(property.Name)).Append(':');
                WriteValue(text, property.Value, indent, inSequence: false);
            }
            return;
        }
        foreach (var item in element.EnumerateArray())
        {
            text.Append(pad).Append('-');
            if (!IsScalarOrEmpty(item) && item.ValueKind == JsonValueKind.Object)
            {
                // "- key: value" with the remaining keys aligned under the first.
                var inner = new StringBuilder();
                WriteBlock(inner, item, indent + 2);
                text.Append(' ').Append(inner.ToString(indent + 2, inner.Length - indent - 2));
            }
            else WriteValue(text, item, indent, inSequence: true);
        }
    }

    private static void WriteValue(StringBuilder text, JsonElement value, int indent, bool inSequence)
    {
        if (IsScalarOrEmpty(value))
        {
            text.Append(' ').Append(Scalar(value)).Append('\n');
            return;
        }
        text.Append('\n');
        // Sequences under a key stay at the key's indentation (kubectl style); mappings indent by two.
        var childIndent = value.ValueKind == JsonValueKind.Array && !inSequence ? indent : indent + 2;
        WriteBlock(text, value, childIndent);
    }

    private static string Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        JsonValueKind.Null or JsonValueKind.Undefined => "null",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => e.GetRawText(),
        _ => Text(e.GetString()!),
    };

    private static string Key(string key) => Plain().IsMatch(key) && !Reserved(key) ? key : Quote(key);

    private static string Text(string value) => Plain().IsMatch(value) && !Reserved(value) && !LooksNumeric(value) ? value : Quote(value);

    private static bool Reserved(string value) => value.ToLowerInvariant() is
        "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n" or "null" or "~" or "";

    private static bool LooksNumeric(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        || value is ".inf" or "-.inf" or ".nan";

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    /// <summary>Safe plain scalars: start with a letter, digit, '/', '.', or '_' and contain no YAML indicators that matter mid-string.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_./][A-Za-z0-9_./:@+\-]*$")]
    private static partial Regex Plain();
}
