using System.Text.Json;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Model;
using Mesh.Protocol.Serialization;

namespace Mesh.Protocol.Tests.Serialization;

[Collection(SerializerCollection.Name)]
public sealed class MeshSerializerRoundTripTests(SerializerFixture fixture)
{
    private readonly MeshSerializer _serializer = fixture.Serializer;

    public static TheoryData<IMeshMessage> Messages()
    {
        var data = new TheoryData<IMeshMessage>();
        foreach (var m in Samples.AllMessages()) data.Add(m);
        return data;
    }

    private T RoundTrip<T>(T message) where T : notnull
    {
        var bytes = _serializer.ToBinary(message);
        return (T)_serializer.FromBinary(bytes, _serializer.Manifest(message));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_to_an_equal_value(IMeshMessage message)
    {
        var back = RoundTrip(message);

        Assert.IsType(message.GetType(), back);
        Assert.Equal(message, back);
        Assert.Equal(message.GetHashCode(), back.GetHashCode());
    }

    [Fact]
    public void Serializer_covers_every_concrete_IMeshMessage_and_samples_cover_every_type()
    {
        var messageTypes = typeof(IMeshMessage).Assembly.GetTypes()
            .Where(t => typeof(IMeshMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToHashSet();

        Assert.Equal(messageTypes.OrderBy(t => t.Name), MeshSerializer.SupportedTypes.OrderBy(t => t.Name));
        Assert.Equal(messageTypes.OrderBy(t => t.Name), Samples.AllMessages().Select(m => m.GetType()).Distinct().OrderBy(t => t.Name));
    }

    [Fact]
    public void Manifests_are_short_distinct_and_stable()
    {
        var expected = new Dictionary<Type, string>
        {
            [typeof(PutNodeSlice)] = "PNS",
            [typeof(SubscribeNode)] = "SN",
            [typeof(NodeSnapshot)] = "NS",
            [typeof(NeedNodeSlice)] = "NNS",
            [typeof(PutAddress)] = "PA",
            [typeof(LookupAddress)] = "LA",
            [typeof(AddressAnswer)] = "AA",
            [typeof(NeedAddress)] = "NA",
            [typeof(UnwatchAddress)] = "UA",
            [typeof(CertificateSigningRequest)] = "CSR",
            [typeof(CertificateIssued)] = "CI",
            [typeof(CertificateRefused)] = "CR",
        };
        // These strings are on the wire: changing one breaks rolling upgrades, so the test pins them.
        foreach (var m in Samples.AllMessages()) Assert.Equal(expected[m.GetType()], _serializer.Manifest(m));
        Assert.Equal(4711, _serializer.Identifier);
        Assert.Equal(MeshSerializer.SerializerId, _serializer.Identifier);
        Assert.True(_serializer.IncludeManifest);
    }

    [Fact]
    public void Full_slice_keeps_every_nested_field()
    {
        var original = new NodeSnapshot(Samples.FullSlice(), 99);
        var back = RoundTrip(original);

        // Spot-check deep fields explicitly, so a broken Equals could not hide a lost field.
        var w = back.Slice.Workloads[0];
        Assert.Equal(new WaypointRef("bookinfo", "waypoint", "waypoint.bookinfo.svc.cluster.local", 15009), w.Waypoint);
        Assert.Equal(new Locality("eu-west-1", "eu-west-1a", "rack-7"), w.Locality);
        Assert.Equal(TunnelProtocol.Hbone, w.TunnelProtocol);
        Assert.Equal(WorkloadStatus.Unhealthy, w.Status);
        Assert.Equal(new PortMapping(80, 8080), w.Services[0].Ports[1]);
        var svc = back.Slice.Services[0];
        Assert.Equal(LoadBalancingMode.Failover, svc.LoadBalancing!.Mode);
        Assert.Equal(6, svc.LoadBalancing.RoutingPreference.Count);
        Assert.Equal(15008, svc.Waypoint!.HboneMtlsPort);
        var policy = back.Slice.Policies[0];
        Assert.True(policy.DryRun);
        Assert.Equal(PolicyAction.Deny, policy.Action);
        Assert.Equal(PolicyScope.WorkloadSelector, policy.Scope);
        var match = policy.Rules[0].Clauses[0].Matches[0];
        Assert.Equal(Samples.FullMatch(), match);
        Assert.Equal(Match.Empty, policy.Rules[0].Clauses[0].Matches[1]);
        Assert.Equal(
            [StringMatchKind.Exact, StringMatchKind.Prefix, StringMatchKind.Suffix, StringMatchKind.Presence],
            match.Namespaces.Concat(match.NotNamespaces).Concat(match.Principals).Select(m => m.Kind).Distinct().Order());
        Assert.Equal(ValueList.Of(9080, 443, 65535), match.DestinationPorts);
        Assert.Equal(99, back.Version);
    }

    [Fact]
    public void Address_records_keep_presence_of_workload_and_service()
    {
        var workloadOnly = RoundTrip(new PutAddress(Samples.WorkloadRecord())).Record;
        Assert.NotNull(workloadOnly.Workload);
        Assert.Null(workloadOnly.Service);
        Assert.Empty(workloadOnly.Endpoints);

        var serviceOnly = RoundTrip(new AddressAnswer(Samples.ServiceRecord(), 1)).Record;
        Assert.Null(serviceOnly.Workload);
        Assert.NotNull(serviceOnly.Service);
        Assert.Equal(2, serviceOnly.Endpoints.Count);

        var unknown = RoundTrip(new AddressAnswer(AddressRecord.Unknown("10.0.0.1"), 1)).Record;
        Assert.False(unknown.IsKnown);
    }

    [Fact]
    public void Null_strings_and_unusual_text_survive()
    {
        // Strings are length+1 prefixed so a null written by a sloppy producer comes back as null, not "".
        var odd = Samples.MinimalWorkload() with { Hostname = null!, Name = "ünïcødé-名前-🚀", Network = new string('x', 70_000) };
        var back = RoundTrip(new PutAddress(new AddressRecord("a", odd, null, ValueList<Workload>.Empty)));
        Assert.Null(back.Record.Workload!.Hostname);
        Assert.Equal(odd, back.Record.Workload);
    }

    [Fact]
    public void Extreme_numbers_survive()
    {
        var svc = Samples.MinimalService() with
        {
            Ports = ValueList.Of(new ServicePort(int.MaxValue, int.MinValue, "", ""), new ServicePort(-1, 0, "", "")),
        };
        var back = RoundTrip(new PutAddress(new AddressRecord("a", null, svc, ValueList<Workload>.Empty)));
        Assert.Equal(svc, back.Record.Service);
    }

    [Fact]
    public void Typical_workload_is_compact_and_much_smaller_than_json()
    {
        var typical = new WireWriter();
        WorkloadCodec.Write(typical, Samples.TypicalWorkload());
        var typicalJson = JsonSerializer.SerializeToUtf8Bytes(Samples.TypicalWorkload(), AdminJson.Options).Length;
        Assert.True(typical.Length < 300, $"a typical workload took {typical.Length} bytes");
        Assert.True(typical.Length * 2 < typicalJson, $"binary {typical.Length} bytes vs JSON {typicalJson} bytes");

        // Even fully populated, framing adds ~1 byte per field/string and 1-3 per number on top of the text (~54 here).
        var full = Samples.FullWorkload();
        var fullWriter = new WireWriter();
        WorkloadCodec.Write(fullWriter, full);
        var text = StringBytes(full);
        Assert.True(fullWriter.Length - text < 64, $"full workload: {fullWriter.Length} bytes for {text} bytes of text");

        var message = new PutAddress(Samples.WorkloadRecord());
        var binary = _serializer.ToBinary(message).Length;
        var json = JsonSerializer.SerializeToUtf8Bytes(message, AdminJson.Options).Length;
        Assert.True(binary * 2 < json, $"binary {binary} bytes vs JSON {json} bytes");
    }

    private static int StringBytes(Workload w) =>
        new[] { w.Uid, w.Name, w.Namespace, w.Hostname, w.Network, w.TrustDomain, w.ServiceAccount, w.Node, w.CanonicalName,
                w.CanonicalRevision, w.WorkloadName, w.ClusterId, w.Waypoint!.Namespace, w.Waypoint.Name, w.Waypoint.Hostname,
                w.Locality!.Region, w.Locality.Zone, w.Locality.Subzone }
            .Concat(w.Addresses).Concat(w.AuthorizationPolicies).Concat(w.Services.Select(s => s.ServiceKey))
            .Sum(s => System.Text.Encoding.UTF8.GetByteCount(s));

    [Fact]
    public void Small_messages_are_a_few_bytes()
    {
        // 1 version byte + 1 length byte + the UTF-8 text.
        Assert.Equal(1 + 1 + "worker-1".Length, _serializer.ToBinary(new SubscribeNode("worker-1")).Length);
        Assert.Equal(1 + 1 + "10.0.0.1".Length + 1, _serializer.ToBinary(new LookupAddress("10.0.0.1", true)).Length);
    }

    [Fact]
    public void Serialization_is_deterministic_and_the_pooled_writer_is_reset()
    {
        var big = _serializer.ToBinary(new PutNodeSlice(Samples.FullSlice()));
        var small1 = _serializer.ToBinary(new NeedAddress("x"));
        var big2 = _serializer.ToBinary(new PutNodeSlice(Samples.FullSlice()));
        var small2 = _serializer.ToBinary(new NeedAddress("x"));

        Assert.Equal(big, big2);
        Assert.Equal(small1, small2);
        Assert.Equal(3, small1.Length);
    }

    [Fact]
    public async Task Concurrent_serialization_is_safe()
    {
        var messages = Samples.AllMessages().ToArray();
        var expected = messages.Select(_serializer.ToBinary).ToArray();
        var tasks = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var round = 0; round < 50; round++)
                for (var i = 0; i < messages.Length; i++)
                    Assert.Equal(expected[i], _serializer.ToBinary(messages[i]));
        }));
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void Non_mesh_objects_are_refused_when_writing()
    {
        var e = Assert.Throws<ArgumentException>(() => _serializer.ToBinary("not a mesh message"));
        Assert.Contains("System.String", e.Message);
        Assert.Throws<ArgumentException>(() => _serializer.Manifest(Samples.FullSlice()));
    }
}
