namespace Mesh.Echo.Tests;

public sealed class GoCompatibilityTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("500ms", 500_000_000L)]
    [InlineData("2s", 2_000_000_000L)]
    [InlineData("1.5h", 5_400_000_000_000L)]
    [InlineData("2h45m", 9_900_000_000_000L)]
    [InlineData("-1.5s", -1_500_000_000L)]
    [InlineData("+3us", 3_000L)]
    [InlineData("3\u00b5s", 3_000L)]
    [InlineData("3\u03bcs", 3_000L)]
    [InlineData(".5s", 500_000_000L)]
    [InlineData("1.s", 1_000_000_000L)]
    [InlineData("1ns1ms", 1_000_001L)]
    [InlineData("9223372036854775807ns", long.MaxValue)]
    [InlineData("-9223372036854775808ns", long.MinValue)]
    public void Parses_go_durations(string text, long nanoseconds)
    {
        Assert.True(GoDuration.TryParseNanoseconds(text, out var parsed, out var error), error);
        Assert.Equal(nanoseconds, parsed);
    }

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("-", "time: invalid duration \"-\"")]
    [InlineData("s", "time: invalid duration \"s\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("1", "time: missing unit in duration \"1\"")]
    [InlineData("1s2", "time: missing unit in duration \"1s2\"")]
    [InlineData("3d", "time: unknown unit \"d\" in duration \"3d\"")]
    [InlineData("1 s", "time: unknown unit \" s\" in duration \"1 s\"")]
    [InlineData("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"")]
    [InlineData("3000000h", "time: invalid duration \"3000000h\"")]
    public void Rejects_what_go_rejects_with_its_message(string text, string message)
    {
        Assert.False(GoDuration.TryParseNanoseconds(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData("user-agent", "User-Agent")]
    [InlineData("USER-AGENT", "User-Agent")]
    [InlineData("x-b3-traceid", "X-B3-Traceid")]
    [InlineData("content-md5", "Content-Md5")]
    [InlineData("a--b", "A--B")]
    [InlineData("-x", "-X")]
    [InlineData("x_y-z", "X_y-Z")]
    [InlineData("bad name", "bad name")] // non-token bytes: Go leaves the key alone
    public void Canonicalises_header_keys_like_textproto(string name, string expected) =>
        Assert.Equal(expected, GoHeaderKey.Canonicalize(name));
}
