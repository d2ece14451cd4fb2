using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Tests.Http2;

/// <summary>Every RFC 7541 Appendix C example, byte for byte, including the dynamic table after each block.</summary>
public sealed class HpackAppendixCSpec
{
    private const string Date21 = "Mon, 21 Oct 2013 20:13:21 GMT";
    private const string Date22 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    private static HeaderField F(string name, string value) => new(name, value);

    private static void AssertTable(HpackDecoder decoder, int size, params HeaderField[] newestFirst)
    {
        Assert.Equal(size, decoder.DynamicTableSize);
        Assert.Equal(newestFirst.Length, decoder.DynamicTableCount);
        for (var i = 0; i < newestFirst.Length; i++)
            Assert.Equal(newestFirst[i], decoder.GetDynamicEntry(i));
    }

    [Fact]
    public void C2_1_literal_with_indexing()
    {
        var d = new HpackDecoder();
        var fields = d.Decode(Hex.Parse("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
        Assert.Equal([F("custom-key", "custom-header")], fields);
        AssertTable(d, 55, F("custom-key", "custom-header"));
    }

    [Fact]
    public void C2_2_literal_without_indexing()
    {
        var d = new HpackDecoder();
        Assert.Equal([F(":path", "/sample/path")], d.Decode(Hex.Parse("040c 2f73 616d 706c 652f 7061 7468")));
        AssertTable(d, 0);
    }

    [Fact]
    public void C2_3_literal_never_indexed()
    {
        var d = new HpackDecoder();
        Assert.Equal([F("password", "secret")], d.Decode(Hex.Parse("1008 7061 7373 776f 7264 0673 6563 7265 74")));
        AssertTable(d, 0);
    }

    [Fact]
    public void C2_4_indexed()
    {
        var d = new HpackDecoder();
        Assert.Equal([F(":method", "GET")], d.Decode(Hex.Parse("82")));
        AssertTable(d, 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void C3_and_C4_requests(bool huffman)
    {
        var blocks = huffman
            ? new[]
            {
                "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
                "8286 84be 5886 a8eb 1064 9cbf",
                "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
            }
            : new[]
            {
                "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
                "8286 84be 5808 6e6f 2d63 6163 6865",
                "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
            };
        var d = new HpackDecoder();

        Assert.Equal(
            [F(":method", "GET"), F(":scheme", "http"), F(":path", "/"), F(":authority", "www.example.com")],
            d.Decode(Hex.Parse(blocks[0])));
        AssertTable(d, 57, F(":authority", "www.example.com"));

        Assert.Equal(
            [F(":method", "GET"), F(":scheme", "http"), F(":path", "/"), F(":authority", "www.example.com"),
             F("cache-control", "no-cache")],
            d.Decode(Hex.Parse(blocks[1])));
        AssertTable(d, 110, F("cache-control", "no-cache"), F(":authority", "www.example.com"));

        Assert.Equal(
            [F(":method", "GET"), F(":scheme", "https"), F(":path", "/index.html"), F(":authority", "www.example.com"),
             F("custom-key", "custom-value")],
            d.Decode(Hex.Parse(blocks[2])));
        AssertTable(d, 164,
            F("custom-key", "custom-value"), F("cache-control", "no-cache"), F(":authority", "www.example.com"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void C5_and_C6_responses_with_eviction(bool huffman)
    {
        var blocks = huffman
            ? new[]
            {
                """
                4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
                2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3
                """,
                "4883 640e ffc1 c0bf",
                """
                88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
                77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
                9587 3160 65c0 03ed 4ee5 b106 3d50 07
                """,
            }
            : new[]
            {
                """
                4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
                2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
                6c65 2e63 6f6d
                """,
                "4803 3330 37c1 c0bf",
                """
                88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
                54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
                5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
                3d31
                """,
            };
        // SETTINGS_HEADER_TABLE_SIZE = 256 in these examples.
        var d = new HpackDecoder(maxHeaderTableSize: 256);

        Assert.Equal(
            [F(":status", "302"), F("cache-control", "private"), F("date", Date21), F("location", "https://www.example.com")],
            d.Decode(Hex.Parse(blocks[0])));
        AssertTable(d, 222,
            F("location", "https://www.example.com"), F("date", Date21), F("cache-control", "private"), F(":status", "302"));

        Assert.Equal(
            [F(":status", "307"), F("cache-control", "private"), F("date", Date21), F("location", "https://www.example.com")],
            d.Decode(Hex.Parse(blocks[1])));
        AssertTable(d, 222,
            F(":status", "307"), F("location", "https://www.example.com"), F("date", Date21), F("cache-control", "private"));

        Assert.Equal(
            [F(":status", "200"), F("cache-control", "private"), F("date", Date22), F("location", "https://www.example.com"),
             F("content-encoding", "gzip"), F("set-cookie", Cookie)],
            d.Decode(Hex.Parse(blocks[2])));
        AssertTable(d, 215, F("set-cookie", Cookie), F("content-encoding", "gzip"), F("date", Date22));
    }

    [Theory]
    [InlineData("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff")]
    [InlineData("no-cache", "a8eb 1064 9cbf")]
    [InlineData("custom-key", "25a8 49e9 5ba9 7d7f")]
    [InlineData("custom-value", "25a8 49e9 5bb8 e8b4 bf")]
    [InlineData("302", "6402")]
    [InlineData("private", "aec3 771a 4b")]
    [InlineData(Date21, "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff")]
    [InlineData("https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3")]
    [InlineData("gzip", "9bd9 ab")]
    [InlineData(Cookie, "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07")]
    public void Huffman_strings_of_the_examples_encode_and_decode_exactly(string text, string hex)
    {
        var expected = Hex.Parse(hex);
        Assert.Equal(expected.Length, HpackHuffman.GetEncodedLength(text));
        var encoded = new byte[expected.Length];
        Assert.Equal(expected.Length, HpackHuffman.Encode(text, encoded));
        Assert.Equal(expected, encoded);

        var decoded = new byte[HpackHuffman.MaxDecodedLength(expected.Length)];
        var n = HpackHuffman.Decode(expected, decoded);
        Assert.Equal(text, System.Text.Encoding.Latin1.GetString(decoded, 0, n));
    }

    [Theory]
    [InlineData(5, 10, "0a")]
    [InlineData(5, 1337, "1f9a0a")]
    [InlineData(8, 42, "2a")]
    public void C1_integer_examples(int prefixBits, int value, string hex)
    {
        var buffer = new byte[8];
        var n = HpackEncoder.WriteInteger(buffer, 0, prefixBits, value);
        Assert.Equal(Hex.Parse(hex), buffer[..n]);
        var pos = 0;
        Assert.Equal(value, HpackDecoder.ReadInteger(Hex.Parse(hex), ref pos, prefixBits));
        Assert.Equal(n, pos);
    }
}
