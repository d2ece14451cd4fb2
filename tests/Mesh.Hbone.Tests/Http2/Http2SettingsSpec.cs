using Mesh.Hbone.Http2;

namespace Mesh.Hbone.Tests.Http2;

public sealed class Http2SettingsSpec
{
    [Fact]
    public void Starts_from_the_RFC_initial_values()
    {
        var s = new Http2Settings();
        Assert.Equal(4096u, s.HeaderTableSize);
        Assert.True(s.EnablePush);
        Assert.Equal(uint.MaxValue, s.MaxConcurrentStreams);
        Assert.Equal(65_535, s.InitialWindowSize);
        Assert.Equal(16_384, s.MaxFrameSize);
        Assert.Equal(uint.MaxValue, s.MaxHeaderListSize);
    }

    [Fact]
    public void Serializes_parses_and_applies_ignoring_unknown_ids()
    {
        Http2Setting[] sent =
        [
            new(Http2SettingId.HeaderTableSize, 0),
            new(Http2SettingId.EnablePush, 0),
            new(Http2SettingId.MaxConcurrentStreams, 100),
            new(Http2SettingId.InitialWindowSize, 4 * 1024 * 1024),
            new(Http2SettingId.MaxFrameSize, 16_777_215),
            new(Http2SettingId.MaxHeaderListSize, 65_536),
            new((Http2SettingId)0x4242, 7), // unknown: §6.5.2 says ignore
        ];
        var payload = new byte[6 * sent.Length];
        Assert.Equal(payload.Length, Http2Settings.Write(sent, payload));
        Assert.Equal(Hex.Parse("0001 00000000"), payload[..6]);

        var s = new Http2Settings();
        Assert.Equal(sent, s.Apply(payload));
        Assert.Equal(0u, s.HeaderTableSize);
        Assert.False(s.EnablePush);
        Assert.Equal(100u, s.MaxConcurrentStreams);
        Assert.Equal(4 * 1024 * 1024, s.InitialWindowSize);
        Assert.Equal(16_777_215, s.MaxFrameSize);
        Assert.Equal(65_536u, s.MaxHeaderListSize);
    }

    [Theory]
    [InlineData("0002 00000002", Http2ErrorCode.ProtocolError, "ENABLE_PUSH")]
    [InlineData("0004 80000000", Http2ErrorCode.FlowControlError, "INITIAL_WINDOW_SIZE")]
    [InlineData("0005 00003fff", Http2ErrorCode.ProtocolError, "MAX_FRAME_SIZE")]
    [InlineData("0005 01000000", Http2ErrorCode.ProtocolError, "MAX_FRAME_SIZE")]
    [InlineData("0004 0000", Http2ErrorCode.FrameSizeError, "multiple of 6")]
    public void Rejects_invalid_payloads(string hex, Http2ErrorCode code, string messagePart)
    {
        var ex = Assert.Throws<Http2ProtocolException>(() => new Http2Settings().Apply(Hex.Parse(hex)));
        Assert.Equal(code, ex.ErrorCode);
        Assert.Contains(messagePart, ex.Message);
    }

    [Fact]
    public void Accepts_the_boundary_values()
    {
        var s = new Http2Settings();
        s.Apply(Hex.Parse("0004 7fffffff 0005 00004000 0002 00000001"));
        Assert.Equal(int.MaxValue, s.InitialWindowSize);
        Assert.Equal(16_384, s.MaxFrameSize);
    }
}
