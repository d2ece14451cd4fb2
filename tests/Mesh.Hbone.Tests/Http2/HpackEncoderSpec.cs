using System.Buffers;
using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Tests.Http2;

public sealed class HpackEncoderSpec
{
    private static HeaderField F(string name, string value) => new(name, value);

    private static byte[] Encode(HpackEncoder encoder, params HeaderField[] fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        encoder.Encode(fields, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Uses_static_indices_and_literals_without_indexing()
    {
        var bytes = Encode(new HpackEncoder(useHuffman: false),
            F(":method", "GET"), // exact static match: 2
            F(":method", "CONNECT"), // static name 2, literal value
            F("x-a", "b")); // new name
        Assert.Equal(Hex.Parse("82 0207 434f4e4e454354 0003 782d61 0162"), bytes);
    }

    [Fact]
    public void Huffman_only_when_shorter()
    {
        var bytes = Encode(new HpackEncoder(), F(":authority", "www.example.com"));
        Assert.Equal(Hex.Parse("018c f1e3 c2e5 f23a 6ba0 ab90 f4ff"), bytes);
        // One-char values do not shrink with Huffman ('&' is 8 bits), so stay raw.
        Assert.Equal(Hex.Parse("0003 782d61 0126"), Encode(new HpackEncoder(), F("x-a", "&")));
    }

    [Fact]
    public void Never_indexed_fields_use_the_0x10_form()
    {
        var buffer = new ArrayBufferWriter<byte>();
        new HpackEncoder(useHuffman: false).Encode("authorization", "s", buffer, neverIndex: true);
        Assert.Equal(Hex.Parse("1f08 0173"), buffer.WrittenSpan.ToArray()); // authorization = 23 = 15 + 8
    }

    [Fact]
    public void Announces_a_zero_table_after_the_peer_changes_its_limit()
    {
        var encoder = new HpackEncoder();
        encoder.OnPeerHeaderTableSize(0);
        Assert.Equal(Hex.Parse("20 82 82"), Encode(encoder, F(":method", "GET"), F(":method", "GET")));
        Assert.Equal(Hex.Parse("82"), Encode(encoder, F(":method", "GET")));
    }

    [Theory]
    [InlineData("X-Upper", "v")]
    [InlineData("x-a", "line\r\nx-injected: 1")]
    [InlineData("", "v")]
    [InlineData("x-a", "\u0100")]
    public void Rejects_invalid_fields(string name, string value) =>
        Assert.Throws<ArgumentException>(() => Encode(new HpackEncoder(), F(name, value)));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Round_trips_through_the_decoder(bool huffman)
    {
        HeaderField[] request =
        [
            F(":method", "CONNECT"),
            F(":authority", "10.244.1.17:8080"),
            F("forwarded", "for=\"10.244.2.5:41234\""),
            F("baggage", "k8s.namespace.name=default,k8s.deployment.name=sleep,service.name=sleep,service.version=v1"),
            F("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            F("x-empty", ""),
            F("x-long", new string('z', 300)),
            F("x-latin1", "caf\u00e9 \u00ff\u0001"),
        ];
        var encoder = new HpackEncoder(huffman);
        var decoder = new HpackDecoder();
        for (var i = 0; i < 3; i++)
            Assert.Equal(request, decoder.Decode(Encode(encoder, request)));
        Assert.Equal(0, decoder.DynamicTableCount);
    }

    [Fact]
    public void Random_strings_round_trip_through_Huffman()
    {
        var random = new Random(1);
        var decoded = new byte[HpackHuffman.MaxDecodedLength(400)];
        for (var round = 0; round < 2000; round++)
        {
            var chars = new char[random.Next(0, 50)];
            for (var i = 0; i < chars.Length; i++)
                chars[i] = (char)random.Next(256);
            var text = new string(chars);
            var encoded = new byte[HpackHuffman.GetEncodedLength(text)];
            Assert.Equal(encoded.Length, HpackHuffman.Encode(text, encoded));
            var n = HpackHuffman.Decode(encoded, decoded);
            Assert.Equal(text, System.Text.Encoding.Latin1.GetString(decoded, 0, n));
        }
    }
}
