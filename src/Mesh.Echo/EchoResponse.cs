using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Mesh.Echo;

/// <summary>
/// The echo-basic JSON body: same field names and order, same indentation (one space) and sorted header keys,
/// so tooling written against the Gateway API conformance echo server reads ours unchanged.
/// </summary>
internal static class EchoResponse
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, IndentSize = 1, NewLine = "\n" };

    // Go moves Host into r.Host and consumes the framing headers, so echo-basic never lists them.
    private static readonly HashSet<string> Omitted = new(StringComparer.OrdinalIgnoreCase) { "Host", "Transfer-Encoding", "Trailer" };

    public static byte[] Build(HttpContext context, string rawTarget, EchoOptions options)
    {
        var request = context.Request;
        var headers = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Headers)
        {
            if (Omitted.Contains(name))
            {
                continue;
            }

            var key = GoHeaderKey.Canonicalize(name);
            if (!headers.TryGetValue(key, out var list))
            {
                headers[key] = list = new List<string>(values.Count);
            }

            foreach (var value in values)
            {
                list.Add(value ?? "");
            }
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("path", rawTarget);
            json.WriteString("host", request.Headers.Host.ToString());
            json.WriteString("method", request.Method);
            json.WriteString("proto", GoProto(request.Protocol));
            json.WriteStartObject("headers");
            foreach (var (name, values) in headers)
            {
                json.WriteStartArray(name);
                foreach (var value in values)
                {
                    json.WriteStringValue(value);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteString("namespace", options.Namespace);
            json.WriteString("ingress", options.Ingress);
            json.WriteString("service", options.Service);
            json.WriteString("pod", options.Pod);
            // echo-basic omits "tls" on cleartext connections (omitempty) and we only serve cleartext;
            // "sni" is always present there and only filled for its TLS-sniffing /backendTLS path.
            json.WriteString("sni", "");
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("message", message);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Go spells versions with a minor digit: Kestrel's "HTTP/2" is Go's "HTTP/2.0".</summary>
    public static string GoProto(string protocol) => protocol switch
    {
        "HTTP/2" => "HTTP/2.0",
        "HTTP/3" => "HTTP/3.0",
        _ => protocol,
    };
}
