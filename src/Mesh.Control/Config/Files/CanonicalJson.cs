using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace Mesh.Control.Config.Files;

/// <summary>
/// A deterministic rendering of a Kubernetes object (KubernetesJson with object keys sorted), so hashes do not
/// depend on the order labels were written in or on the process (no string.GetHashCode, no dictionary order).
/// </summary>
internal static class CanonicalJson
{
    public static string Render(object value)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(value));
        var sb = new StringBuilder();
        Write(node, sb);
        return sb.ToString();
    }

    public static string Sha256(object value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Render(value))));

    /// <summary>Deep copy through the wire format: objects handed out must not share mutable parts.</summary>
    public static T Clone<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));

    private static void Write(JsonNode? node, StringBuilder sb)
    {
        switch (node)
        {
            case JsonObject obj:
                sb.Append('{');
                var first = true;
                foreach (var (key, child) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                        sb.Append(',');
                    first = false;
                    sb.Append(JsonSerializer.Serialize(key)).Append(':');
                    Write(child, sb);
                }
                sb.Append('}');
                break;
            case JsonArray array:
                sb.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                        sb.Append(',');
                    Write(array[i], sb);
                }
                sb.Append(']');
                break;
            case null:
                sb.Append("null");
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }
}
