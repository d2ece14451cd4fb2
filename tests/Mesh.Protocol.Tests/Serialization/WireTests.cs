using System.Runtime.Serialization;
using Mesh.Protocol.Serialization;

namespace Mesh.Protocol.Tests.Serialization;

public sealed class WireTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(63)]
    [InlineData(-64)]
    [InlineData(64)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Int32_round_trips(int value)
    {
        var w = new WireWriter();
        w.WriteInt32(value);
        var r = new WireReader(w.ToArray());
        Assert.Equal(value, r.ReadInt32());
        r.EnsureEnd();
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(1L << 40)]
    public void Int64_round_trips(long value)
    {
        var w = new WireWriter();
        w.WriteInt64(value);
        var r = new WireReader(w.ToArray());
        Assert.Equal(value, r.ReadInt64());
        r.EnsureEnd();
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(63, 1)]     // zig-zag 126
    [InlineData(-64, 1)]    // zig-zag 127
    [InlineData(64, 2)]
    [InlineData(int.MaxValue, 5)]
    public void Small_ints_take_few_bytes(int value, int expectedBytes)
    {
        var w = new WireWriter();
        w.WriteInt32(value);
        Assert.Equal(expectedBytes, w.Length);
    }

    [Fact]
    public void Varint32_overflow_is_refused()
    {
        var w = new WireWriter();
        w.WriteVarUInt64((ulong)uint.MaxValue + 1);
        var e = Assert.Throws<SerializationException>(() => new WireReader(w.ToArray()).ReadVarUInt32());
        Assert.Contains("32 bits", e.Message);
    }

    [Fact]
    public void Varint64_with_excess_high_bits_is_refused()
    {
        byte[] bytes = [.. Enumerable.Repeat((byte)0xFF, 9), 0x02];
        Assert.Throws<SerializationException>(() => new WireReader(bytes).ReadVarUInt64());
        byte[] max = [.. Enumerable.Repeat((byte)0xFF, 9), 0x01];
        Assert.Equal(ulong.MaxValue, new WireReader(max).ReadVarUInt64());
    }

    [Fact]
    public void Lone_surrogate_is_refused_when_writing()
    {
        var e = Assert.Throws<SerializationException>(() => new WireWriter().WriteString("a\uD800b"));
        Assert.Contains("surrogate", e.Message);
    }

    [Fact]
    public void Reader_respects_offset_and_count()
    {
        var w = new WireWriter();
        w.WriteString("hello");
        byte[] framed = [0xEE, .. w.WrittenSpan, 0xEE];
        var r = new WireReader(framed, 1, framed.Length - 2);
        Assert.Equal("hello", r.ReadString());
        r.EnsureEnd();
    }
}
