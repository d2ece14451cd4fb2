using System.Diagnostics;
using System.Runtime.Serialization;
using Mesh.Protocol.Contracts;
using Mesh.Protocol.Serialization;

namespace Mesh.Protocol.Tests.Serialization;

[Collection(SerializerCollection.Name)]
public sealed class MeshSerializerCorruptInputTests(SerializerFixture fixture)
{
    private readonly MeshSerializer _serializer = fixture.Serializer;

    private SerializationException Refused(byte[] bytes, string manifest) =>
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, manifest));

    [Theory]
    [InlineData("")]
    [InlineData("XYZ")]
    [InlineData("pns")]
    [InlineData("Mesh.Protocol.Contracts.PutNodeSlice, Mesh.Protocol")]
    public void Unknown_manifest_is_refused_naming_it(string manifest)
    {
        var e = Refused([MeshSerializer.FormatVersion], manifest);
        Assert.Contains("unknown manifest", e.Message);
        Assert.Contains($"'{manifest}'", e.Message);
    }

    [Fact]
    public void Null_manifest_or_payload_is_refused()
    {
        Assert.Throws<SerializationException>(() => _serializer.FromBinary([1], null!));
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(null!, "SN"));
    }

    [Fact]
    public void Every_truncation_of_every_message_is_refused()
    {
        foreach (var message in Samples.AllMessages())
        {
            var bytes = _serializer.ToBinary(message);
            var manifest = _serializer.Manifest(message);
            for (var length = 0; length < bytes.Length; length++)
            {
                var e = Refused(bytes[..length], manifest);
                Assert.Contains(message.GetType().Name, e.Message);
            }
        }
    }

    [Fact]
    public void Truncation_message_says_truncated()
    {
        var bytes = _serializer.ToBinary(new SubscribeNode("worker-1"));
        var e = Refused(bytes[..^1], "SN");
        Assert.Contains("truncated", e.Message);
        Assert.Contains("SubscribeNode", e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_refused()
    {
        var bytes = _serializer.ToBinary(new NeedAddress("10.0.0.1"));
        var e = Refused([.. bytes, 0], "NA");
        Assert.Contains("trailing", e.Message);
    }

    [Fact]
    public void Payload_read_with_the_wrong_manifest_is_refused()
    {
        var bytes = _serializer.ToBinary(new PutNodeSlice(Samples.FullSlice()));
        foreach (var manifest in new[] { "PA", "AA", "SN", "NS" })
            Refused(bytes, manifest);
    }

    [Theory]
    [InlineData(0, "unknown format version 0")]
    [InlineData(2, "newer")]
    [InlineData(255, "newer")]
    public void Unsupported_format_version_is_refused(byte version, string expected)
    {
        var bytes = _serializer.ToBinary(new SubscribeNode("n"));
        bytes[0] = version;
        Assert.Contains(expected, Refused(bytes, "SN").Message);
    }

    [Fact]
    public void Huge_string_length_is_refused_without_allocating_it()
    {
        // version, then varint 0xFFFFFFFF as string length+1.
        var e = Refused([1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "SN");
        Assert.Contains("limit", e.Message);

        // Within the cap but longer than the payload: truncated.
        var e2 = Refused([1, 0x80, 0x80, 0x80, 0x01, (byte)'a'], "SN");
        Assert.Contains("truncated", e2.Message);
    }

    [Fact]
    public void Huge_list_count_is_refused_before_allocating()
    {
        // PutNodeSlice: version, node "" (prefix 1), workload count 0xFFFFFFFF.
        var e = Refused([1, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "PNS");
        Assert.Contains("limit", e.Message);

        // 5M items claimed (under the cap) in a 10-byte payload: impossible, refused up front.
        var sw = Stopwatch.StartNew();
        var e2 = Refused([1, 1, 0xC0, 0x96, 0xB1, 0x02, 0, 0, 0, 0], "PNS");
        Assert.Contains("truncated", e2.Message);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Overlong_varint_is_refused()
    {
        var bytes = new byte[] { 1 }.Concat(Enumerable.Repeat((byte)0xFF, 12)).ToArray();
        Assert.Contains("varint", Refused(bytes, "SN").Message);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 0xC3 }, "UTF-8")]          // string of one byte: a lone lead byte
    [InlineData(new byte[] { 1, 3, 0xC3, 0x28 }, "UTF-8")]    // invalid continuation
    public void Invalid_utf8_is_refused(byte[] bytes, string expected) =>
        Assert.Contains(expected, Refused(bytes, "SN").Message);

    [Fact]
    public void Invalid_bool_presence_and_enum_values_are_refused()
    {
        // LookupAddress("", watch byte 2)
        Assert.Contains("boolean", Refused([1, 1, 2], "LA").Message);

        // PutAddress: address "", workload presence byte 7
        Assert.Contains("presence", Refused([1, 1, 7], "PA").Message);

        // A workload whose TunnelProtocol is 9 (zig-zag 18): patch the minimal workload encoding.
        var w = new WireWriter();
        w.WriteByte(MeshSerializer.FormatVersion);
        w.WriteString("a");
        w.WriteByte(1);
        for (var i = 0; i < 3; i++) w.WriteString("");
        w.WriteVarUInt32(0);
        w.WriteString("");
        w.WriteString("");
        w.WriteInt32(9);
        Assert.Contains("unknown TunnelProtocol value 9", Refused(w.ToArray(), "PA").Message);
    }

    [Fact]
    public void Random_corruption_never_escapes_as_another_exception()
    {
        var random = new Random(4711);
        var originals = Samples.AllMessages().Select(m => (Bytes: _serializer.ToBinary(m), Manifest: _serializer.Manifest(m))).ToArray();
        for (var round = 0; round < 3000; round++)
        {
            var (original, manifest) = originals[random.Next(originals.Length)];
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                _serializer.FromBinary(bytes, manifest); // a flip may still decode to some valid message
            }
            catch (SerializationException)
            {
            }
        }

        for (var round = 0; round < 1000; round++)
        {
            var garbage = new byte[random.Next(0, 64)];
            random.NextBytes(garbage);
            var manifest = originals[random.Next(originals.Length)].Manifest;
            try { _serializer.FromBinary(garbage, manifest); }
            catch (SerializationException) { }
        }
    }
}
