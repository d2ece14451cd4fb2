using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Tests.Http2;

/// <summary>Malformed input must surface as <see cref="HpackException"/>, never as a crash or a hang.</summary>
public sealed class HpackRobustnessSpec
{
    private static readonly string[] ValidBlocks =
    [
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        "1008 7061 7373 776f 7264 0673 6563 7265 74",
    ];

    [Theory]
    [InlineData("80", "index 0")]
    [InlineData("be", "beyond")] // index 62 with an empty dynamic table
    [InlineData("ff80 8080 8080 8001", "too long")]
    [InlineData("ff ffff ffff 0f", "overflows")]
    [InlineData("400a 6375 7374", "truncated")]
    [InlineData("4085 ffff ffff ff00", "EOS")] // "ff ff ff ff" hits the 30-bit EOS code
    [InlineData("0082 1f00 0130", "padding")] // 0x1f: '0' in 5 bits, then 3 zero bits of padding — not EOS-prefix
    [InlineData("0082 ffff 0130", "more than 7 bits")]
    [InlineData("82 3f e1 1f", "after a header field")]
    [InlineData("3fe2 1f", "exceeds SETTINGS_HEADER_TABLE_SIZE")] // size update to 4097
    public void Rejects_malformed_blocks_with_a_clear_message(string hex, string messagePart)
    {
        var ex = Assert.Throws<HpackException>(() => new HpackDecoder().Decode(Hex.Parse(hex)));
        Assert.Contains(messagePart, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Enforces_the_header_list_limit()
    {
        var encoder = new HpackEncoder(useHuffman: false);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        for (var i = 0; i < 10; i++)
            encoder.Encode($"x-h{i}", new string('v', 100), buffer);
        var ex = Assert.Throws<HpackException>(() => new HpackDecoder(maxHeaderListSize: 1000).Decode(buffer.WrittenSpan));
        Assert.Contains("1000", ex.Message);
        Assert.Equal(10, new HpackDecoder(maxHeaderListSize: 2000).Decode(buffer.WrittenSpan).Count);
    }

    [Fact]
    public void Rejects_a_huge_string_length_before_reading_it()
    {
        // Literal name with a declared length of ~2^31 - 128 octets but only a few present.
        var ex = Assert.Throws<HpackException>(() => new HpackDecoder().Decode(Hex.Parse("00 7f 80ff ffff 07 41")));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void Requires_a_size_update_after_the_limit_shrinks()
    {
        var d = new HpackDecoder();
        d.Decode(Hex.Parse("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"));
        d.SetMaxHeaderTableSize(0);
        Assert.Throws<HpackException>(() => new HpackDecoder().Decode(Hex.Parse("3fe2 1f")));
        var ex = Assert.Throws<HpackException>(() => d.Decode(Hex.Parse("82")));
        Assert.Contains("must start with a dynamic table size update", ex.Message);

        var d2 = new HpackDecoder();
        d2.Decode(Hex.Parse("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"));
        d2.SetMaxHeaderTableSize(0);
        Assert.Equal([new HeaderField(":method", "GET")], d2.Decode(Hex.Parse("20 82")));
        Assert.Equal(0, d2.DynamicTableSize);
        Assert.Equal(0, d2.DynamicTableCount);
    }

    [Fact]
    public void Random_truncations_and_garbage_only_raise_HpackException()
    {
        var random = new Random(7541);
        var blocks = ValidBlocks.Select(Hex.Parse).ToArray();
        for (var round = 0; round < 20_000; round++)
        {
            byte[] input;
            switch (round % 3)
            {
                case 0: // truncation of a valid block
                    var source = blocks[random.Next(blocks.Length)];
                    input = source[..random.Next(source.Length)];
                    break;
                case 1: // bit flips in a valid block
                    input = (byte[])blocks[random.Next(blocks.Length)].Clone();
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                        input[random.Next(input.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                default: // pure garbage
                    input = new byte[random.Next(1, 64)];
                    random.NextBytes(input);
                    break;
            }
            var decoder = new HpackDecoder(maxHeaderListSize: 4096);
            try
            {
                decoder.Decode(input);
                decoder.Decode(input); // again, against whatever the first pass left in the table
            }
            catch (HpackException)
            {
            }
            Assert.InRange(decoder.DynamicTableSize, 0, decoder.DynamicTableMaxSize);
        }
    }

    [Fact]
    public void Random_Huffman_input_only_raises_HpackException()
    {
        var random = new Random(42);
        var output = new byte[HpackHuffman.MaxDecodedLength(64)];
        for (var round = 0; round < 20_000; round++)
        {
            var input = new byte[random.Next(0, 64)];
            random.NextBytes(input);
            try
            {
                HpackHuffman.Decode(input, output);
            }
            catch (HpackException)
            {
            }
        }
    }
}
