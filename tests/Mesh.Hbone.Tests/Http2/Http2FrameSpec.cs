using System.Buffers;
using System.IO.Pipelines;
using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Tests.Http2;

public sealed class Http2FrameSpec
{
    /// <summary>Reads every frame of <paramref name="wire"/> through the Stream or the PipeReader path.</summary>
    private static async Task<List<(Http2FrameHeader Header, byte[] Payload)>> ReadAllAsync(
        byte[] wire, bool viaPipe, int maxFrameSize = Http2Settings.DefaultMaxFrameSize)
    {
        // A 7-byte read size makes frames straddle reads on both paths.
        var stream = new TrickleStream(wire, 7);
        var reader = viaPipe
            ? new Http2FrameReader(PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1)), maxFrameSize)
            : new Http2FrameReader(stream, maxFrameSize);
        var frames = new List<(Http2FrameHeader, byte[])>();
        while (await reader.ReadFrameAsync() is { } read)
        {
            var frame = read;
            using (frame)
                frames.Add((frame.Header, frame.Payload.ToArray()));
        }
        return frames;
    }

    [Fact]
    public void Header_round_trips_and_ignores_the_reserved_bit()
    {
        var header = new Http2FrameHeader(0xABCDEF, Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.EndStream, 0x7FFF_FFFF);
        var bytes = new byte[9];
        header.Write(bytes);
        Assert.Equal(Hex.Parse("abcdef 01 05 7fffffff"), bytes);
        Assert.Equal(header, Http2FrameHeader.Read(bytes));

        var reserved = Hex.Parse("000000 04 00 80000000");
        Assert.Equal(0, Http2FrameHeader.Read(reserved).StreamId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_frame_type_round_trips(bool viaPipe)
    {
        var w = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WriteSettings(w, [new(Http2SettingId.InitialWindowSize, 4 << 20), new(Http2SettingId.EnablePush, 0)]);
        Http2FrameWriter.WriteSettingsAck(w);
        Http2FrameWriter.WriteWindowUpdate(w, 0, 16 << 20);
        Http2FrameWriter.WriteWindowUpdate(w, 3, 1);
        Http2FrameWriter.WritePing(w, 0x0102030405060708);
        Http2FrameWriter.WritePing(w, 0x0102030405060708, ack: true);
        Http2FrameWriter.WriteRstStream(w, 5, Http2ErrorCode.RefusedStream);
        Http2FrameWriter.WriteGoAway(w, 7, Http2ErrorCode.EnhanceYourCalm, "calm"u8);
        Http2FrameWriter.WriteHeaders(w, 1, [0x82, 0x84], endStream: false);
        Http2FrameWriter.WriteData(w, 1, "hello"u8, endStream: false);
        Http2FrameWriter.WriteData(w, 1, [], endStream: true);

        var frames = await ReadAllAsync(w.WrittenSpan.ToArray(), viaPipe);
        Assert.Equal(11, frames.Count);

        Assert.Equal(new Http2FrameHeader(12, Http2FrameType.Settings, Http2FrameFlags.None, 0), frames[0].Header);
        Assert.Equal([new(Http2SettingId.InitialWindowSize, 4u << 20), new(Http2SettingId.EnablePush, 0)],
            Http2Settings.Parse(frames[0].Payload));
        Assert.Equal(new Http2FrameHeader(0, Http2FrameType.Settings, Http2FrameFlags.Ack, 0), frames[1].Header);
        Assert.Equal(Hex.Parse("01000000"), frames[2].Payload);
        Assert.Equal(new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, 3), frames[3].Header);
        Assert.Equal(Hex.Parse("0102030405060708"), frames[4].Payload);
        Assert.Equal(Http2FrameFlags.None, frames[4].Header.Flags);
        Assert.Equal(Http2FrameFlags.Ack, frames[5].Header.Flags);
        Assert.Equal(new Http2FrameHeader(4, Http2FrameType.RstStream, Http2FrameFlags.None, 5), frames[6].Header);
        Assert.Equal(Hex.Parse("00000007"), frames[6].Payload);
        Assert.Equal(Hex.Parse("00000007 0000000b 63616c6d"), frames[7].Payload);
        Assert.Equal(new Http2FrameHeader(2, Http2FrameType.Headers, Http2FrameFlags.EndHeaders, 1), frames[8].Header);
        Assert.Equal(new Http2FrameHeader(5, Http2FrameType.Data, Http2FrameFlags.None, 1), frames[9].Header);
        Assert.Equal("hello"u8.ToArray(), frames[9].Payload);
        Assert.Equal(new Http2FrameHeader(0, Http2FrameType.Data, Http2FrameFlags.EndStream, 1), frames[10].Header);
    }

    [Fact]
    public void Typed_accessors_read_the_payloads()
    {
        var w = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WriteWindowUpdate(w, 0, 0x7FFF_FFFF);
        Http2FrameWriter.WritePing(w, 42, ack: true);
        Http2FrameWriter.WriteRstStream(w, 9, Http2ErrorCode.Cancel);
        Http2FrameWriter.WriteGoAway(w, 11, Http2ErrorCode.Http11Required, "x"u8);
        var buffer = new ReadOnlySequence<byte>(w.WrittenMemory);

        Assert.True(Http2FrameReader.TryReadFrame(ref buffer, 16_384, out var windowUpdate));
        using (windowUpdate)
            Assert.Equal(int.MaxValue, windowUpdate.WindowUpdateIncrement);
        Assert.True(Http2FrameReader.TryReadFrame(ref buffer, 16_384, out var ping));
        using (ping)
            Assert.Equal(42ul, ping.PingData);
        Assert.True(Http2FrameReader.TryReadFrame(ref buffer, 16_384, out var rst));
        using (rst)
            Assert.Equal(Http2ErrorCode.Cancel, rst.ErrorCode);
        Assert.True(Http2FrameReader.TryReadFrame(ref buffer, 16_384, out var goAway));
        using (goAway)
        {
            Assert.Equal(11, goAway.GoAwayLastStreamId);
            Assert.Equal(Http2ErrorCode.Http11Required, goAway.ErrorCode);
            Assert.Equal("x"u8.ToArray(), goAway.GoAwayDebugData.ToArray());
        }
        Assert.False(Http2FrameReader.TryReadFrame(ref buffer, 16_384, out _));
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rejects_a_frame_over_the_max_frame_size(bool viaPipe)
    {
        var w = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WriteData(w, 1, new byte[16_385], endStream: false);
        var ex = await Assert.ThrowsAsync<Http2ProtocolException>(() => ReadAllAsync(w.WrittenSpan.ToArray(), viaPipe));
        Assert.Equal(Http2ErrorCode.FrameSizeError, ex.ErrorCode);
        Assert.Contains("exceeds SETTINGS_MAX_FRAME_SIZE 16384", ex.Message);

        // Raising our advertised limit admits it.
        Assert.Single(await ReadAllAsync(w.WrittenSpan.ToArray(), viaPipe, maxFrameSize: 32_768));
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 5)]
    [InlineData(false, 12)]
    [InlineData(true, 5)]
    [InlineData(true, 12)]
    public async Task Rejects_truncated_input(bool viaPipe, int keep)
    {
        var w = new ArrayBufferWriter<byte>();
        Http2FrameWriter.WritePing(w, 1);
        Http2FrameWriter.WriteData(w, 1, "hello"u8, endStream: true);
        var wire = w.WrittenSpan.ToArray()[..(17 + keep)]; // the whole PING, then part of DATA
        if (keep == 0)
        {
            Assert.Single(await ReadAllAsync(wire, viaPipe)); // clean EOF between frames
            return;
        }
        var ex = await Assert.ThrowsAsync<Http2ProtocolException>(() => ReadAllAsync(wire, viaPipe));
        Assert.Equal(Http2ErrorCode.ProtocolError, ex.ErrorCode);
        Assert.Contains("Connection closed in the middle of", ex.Message);
    }

    [Theory]
    [InlineData("000008 06 00 00000001 0000000000000000", Http2ErrorCode.ProtocolError)] // PING on a stream
    [InlineData("000000 00 00 00000000", Http2ErrorCode.ProtocolError)] // DATA on stream 0
    [InlineData("000007 06 00 00000000 00000000000000", Http2ErrorCode.FrameSizeError)] // short PING
    [InlineData("000003 08 00 00000000 000001", Http2ErrorCode.FrameSizeError)] // short WINDOW_UPDATE
    [InlineData("000006 04 01 00000000 000100000000", Http2ErrorCode.FrameSizeError)] // SETTINGS ACK with payload
    [InlineData("000004 04 00 00000000 00010000", Http2ErrorCode.FrameSizeError)] // SETTINGS not 6n
    [InlineData("000004 07 00 00000000 00000000", Http2ErrorCode.FrameSizeError)] // short GOAWAY
    public async Task Rejects_malformed_frames(string hex, Http2ErrorCode code)
    {
        var ex = await Assert.ThrowsAsync<Http2ProtocolException>(() => ReadAllAsync(Hex.Parse(hex), viaPipe: false));
        Assert.Equal(code, ex.ErrorCode);
    }

    [Fact]
    public async Task Unknown_frame_types_pass_through()
    {
        var frames = await ReadAllAsync(Hex.Parse("000002 fa 00 00000003 abcd"), viaPipe: true);
        Assert.Equal((Http2FrameType)0xfa, Assert.Single(frames).Header.Type);
    }

    [Fact]
    public void Strips_padding_and_priority()
    {
        // HEADERS, PADDED|PRIORITY|END_HEADERS: pad 2, 5 priority octets, fragment 82 84, 2 pad octets.
        var buffer = new ReadOnlySequence<byte>(Hex.Parse("00000a 01 2c 00000001 02 00000000 10 8284 0000"));
        Assert.True(Http2FrameReader.TryReadFrame(ref buffer, 16_384, out var headers));
        using (headers)
            Assert.Equal(Hex.Parse("8284"), headers.GetHeaderBlockFragment().ToArray());

        buffer = new ReadOnlySequence<byte>(Hex.Parse("000004 00 08 00000001 02 61 0000"));
        Assert.True(Http2FrameReader.TryReadFrame(ref buffer, 16_384, out var data));
        using (data)
            Assert.Equal("a"u8.ToArray(), data.GetData().ToArray());

        buffer = new ReadOnlySequence<byte>(Hex.Parse("000002 00 08 00000001 02 61"));
        Assert.True(Http2FrameReader.TryReadFrame(ref buffer, 16_384, out var badPadding));
        using (badPadding)
        {
            var ex = Assert.Throws<Http2ProtocolException>(() => badPadding.GetData().ToArray());
            Assert.Equal(Http2ErrorCode.ProtocolError, ex.ErrorCode);
        }
    }
}
