using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Protocol.Zds;

/// <summary>
/// Our take on Istio's ZDS (ztunnel discovery service): the node agent owns pod network namespaces and tells the
/// ztunnel of its node which pods to serve. Transport: a Unix stream socket served by the agent; the ztunnel
/// connects, says which node it serves, and receives the current pods then changes. One JSON object per line.
/// We pass the netns as a path (e.g. /var/run/netns/NAME) rather than an fd over SCM_RIGHTS, which .NET's Socket
/// cannot send; the ztunnel opens it and setns()es into it.
/// <list type="bullet">
/// <item>ztunnel → agent: <c>{"type":"hello","node":"node-0"}</c>, then <c>{"type":"ack","uid":"…","error":null}</c> per add/del.</item>
/// <item>agent → ztunnel: <c>{"type":"add","pod":{…}}</c> per pod, <c>{"type":"snapshot-sent"}</c> once the initial
/// set is sent, <c>{"type":"del","uid":"…"}</c>.</item>
/// </list>
/// A pod is Ready only after the ztunnel acked its add (its capture listeners exist), as Istio's CNI waits for ztunnel.
/// </summary>
public sealed record ZdsMessage(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("node")] string? Node = null,
    [property: JsonPropertyName("uid")] string? Uid = null,
    [property: JsonPropertyName("pod")] ZdsPod? Pod = null,
    [property: JsonPropertyName("error")] string? Error = null)
{
    public const string Hello = "hello";
    public const string Add = "add";
    public const string Del = "del";
    public const string SnapshotSent = "snapshot-sent";
    public const string Ack = "ack";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToLine() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses one line; a malformed line gives a FormatException naming the problem.</summary>
    public static ZdsMessage Parse(string line)
    {
        ZdsMessage? message;
        try { message = JsonSerializer.Deserialize<ZdsMessage>(line, Json); }
        catch (JsonException e) { throw new FormatException($"malformed ZDS message: {e.Message}", e); }
        if (message is null || string.IsNullOrEmpty(message.Type)) throw new FormatException("ZDS message without a type");
        return message;
    }
}

/// <summary>A pod handed to the ztunnel: which workload it is and where its network namespace is.</summary>
public sealed record ZdsPod(
    [property: JsonPropertyName("uid")] string Uid,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("netns")] string Netns);
