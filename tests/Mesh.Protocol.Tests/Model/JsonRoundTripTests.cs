using System.Text.Json;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Tests.Model;

/// <summary>The admin endpoint (meshctl) shows state as JSON with AdminJson.Options; it must round-trip.</summary>
public sealed class JsonRoundTripTests
{
    private static T RoundTrip<T>(T value) =>
        JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, AdminJson.Options), AdminJson.Options)!;

    [Fact]
    public void Workload_round_trips()
    {
        var w = Samples.FullWorkload();
        Assert.Equal(w, RoundTrip(w));
        Assert.Equal(Samples.MinimalWorkload(), RoundTrip(Samples.MinimalWorkload()));
    }

    [Fact]
    public void NodeSlice_round_trips()
    {
        Assert.Equal(Samples.FullSlice(), RoundTrip(Samples.FullSlice()));
        Assert.Equal(NodeSlice.EmptyFor("n"), RoundTrip(NodeSlice.EmptyFor("n")));
    }

    [Fact]
    public void Json_shape_is_camel_case_with_string_enums_and_arrays()
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(Samples.FullWorkload(), AdminJson.Options));
        var root = doc.RootElement;
        Assert.Equal("hbone", root.GetProperty("tunnelProtocol").GetString());
        Assert.Equal("unhealthy", root.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("addresses").ValueKind);
        Assert.False(root.TryGetProperty("identity", out _)); // derived, not state
    }

    [Fact]
    public void Null_json_list_reads_as_empty()
    {
        var list = JsonSerializer.Deserialize<ValueList<int>>("null", AdminJson.Options);
        Assert.Same(ValueList<int>.Empty, list);

        // The case that matters: a record property sent as null is read as Empty, never null.
        var binding = JsonSerializer.Deserialize<ServiceBinding>("{\"serviceKey\":\"ns/h\",\"ports\":null}", AdminJson.Options)!;
        Assert.Same(ValueList<PortMapping>.Empty, binding.Ports);
        Assert.Equal("null", JsonSerializer.Serialize<ValueList<int>>(null!, AdminJson.Options));
    }

    [Fact]
    public void Node_state_view_round_trips()
    {
        var view = new NodeStateView("worker-1", 3, true, Samples.FullSlice());
        Assert.Equal(view, RoundTrip(view));
    }
}
