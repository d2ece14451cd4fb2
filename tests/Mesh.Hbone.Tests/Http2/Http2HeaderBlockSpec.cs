using System.Buffers;
using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Tests.Http2;

/// <summary>HEADERS + CONTINUATION splitting on write and reassembly on read.</summary>
public sealed class Http2HeaderBlockSpec
{
    private static List<Http2Frame> Parse(ReadOnlyMemory<byte> wire, int maxFrameSize = 16_384)
    {
        var buffer = new ReadOnlySequence<byte>(wire);
        var frames = new List<Http2Frame>();
        while (Http2FrameReader.TryReadFrame(ref buffer, maxFrameSize, out var frame))
            frames.Add(frame);
        Assert.True(buffer.IsEmpty);
        return frames;
    }

    [Fact]
    public void A_large_block_splits_into_CONTINUATION_frames_and_reassembles()
    {
        HeaderField[] request =
        [
            new(":method", "CONNECT"),
            new(":authority", "10.0.0.1:80"),
            new("x-big-1", new string('a', 20_000)),
            new("x-big-2", new string('b', 15_000)),
        ];
        var block = new ArrayBufferWriter<byte>();
        new HpackEncoder(useHuffman: false).Encode(request, block);
        var wire = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WriteHeaders(wire, 3, block.WrittenSpan, endStream: true);

        var frames = Parse(wire.WrittenMemory);
        try
        {
            Assert.Equal(3, frames.Count); // 35 kB block: 16384 + 16384 + rest
            Assert.Equal(new Http2FrameHeader(16_384, Http2FrameType.Headers, Http2FrameFlags.EndStream, 3), frames[0].Header);
            Assert.Equal(new Http2FrameHeader(16_384, Http2FrameType.Continuation, Http2FrameFlags.None, 3), frames[1].Header);
            Assert.Equal(Http2FrameType.Continuation, frames[2].Header.Type);
            Assert.Equal(Http2FrameFlags.EndHeaders, frames[2].Header.Flags);

            using var assembler = new Http2HeaderBlockAssembler(64 * 1024);
            Assert.False(assembler.Add(frames[0]));
            Assert.True(assembler.InProgress);
            Assert.False(assembler.Add(frames[1]));
            Assert.True(assembler.Add(frames[2]));
            Assert.True(assembler.EndStream);
            Assert.False(assembler.InProgress);
            Assert.Equal(block.WrittenSpan.ToArray(), assembler.Block.ToArray());
            Assert.Equal(request, new HpackDecoder().Decode(assembler.Block));
        }
        finally
        {
            foreach (var frame in frames)
                frame.Dispose();
        }
    }

    [Fact]
    public void A_small_block_is_one_HEADERS_frame_with_END_HEADERS()
    {
        var wire = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WriteHeaders(wire, 1, [], endStream: false);
        var frame = Assert.Single(Parse(wire.WrittenMemory));
        Assert.Equal(new Http2FrameHeader(0, Http2FrameType.Headers, Http2FrameFlags.EndHeaders, 1), frame.Header);
    }

    [Fact]
    public void Interleaving_during_a_block_is_a_protocol_error()
    {
        var wire = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WriteHeaders(wire, 1, new byte[100], endStream: false, maxFrameSize: 40);
        Http2FrameWriter.WriteData(wire, 1, "x"u8, endStream: false);
        var frames = Parse(wire.WrittenMemory);
        using var assembler = new Http2HeaderBlockAssembler(1024);
        Assert.False(assembler.Add(frames[0]));
        Assert.False(assembler.Add(frames[1]));
        var ex = Assert.Throws<Http2ProtocolException>(() => assembler.Add(frames[3]));
        Assert.Equal(Http2ErrorCode.ProtocolError, ex.ErrorCode);
        Assert.Throws<Http2ProtocolException>(() => new Http2HeaderBlockAssembler(1024).Add(frames[1])); // stray CONTINUATION
    }

    [Fact]
    public void An_endless_CONTINUATION_chain_is_cut_off()
    {
        var wire = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WriteHeaders(wire, 1, new byte[5000], endStream: false, maxFrameSize: 1000);
        var frames = Parse(wire.WrittenMemory);
        using var assembler = new Http2HeaderBlockAssembler(2500);
        assembler.Add(frames[0]);
        assembler.Add(frames[1]);
        var ex = Assert.Throws<Http2ProtocolException>(() => assembler.Add(frames[2]));
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, ex.ErrorCode);
    }
}
