using Mesh.Node.Dns;

namespace Mesh.Node.Tests.Dns;

public class DnsNameSpec
{
    private static (bool Ok, DnsName Name, int Offset, string? Error) Read(byte[] message, int offset)
    {
        var ok = DnsName.TryRead(message, ref offset, out var name, out var error);
        return (ok, name, offset, error);
    }

    [Fact]
    public void Reads_plain_labels_and_advances_past_the_root()
    {
        var message = Packets.Concat([0xAA], Packets.Name("echo.demo.svc.cluster.local"), [0xBB]);
        var (ok, name, offset, _) = Read(message, 1);
        Assert.True(ok);
        Assert.Equal("echo.demo.svc.cluster.local.", name.ToString());
        Assert.Equal(message.Length - 1, offset);
    }

    [Fact]
    public void Follows_a_compression_pointer_and_stops_the_in_place_bytes_after_it()
    {
        // "example.com" at 0, then "www" + pointer to 0 at 13.
        var message = Packets.Concat(Packets.Name("example.com"), [3, (byte)'w', (byte)'w', (byte)'w', 0xC0, 0x00], [0xEE]);
        var (ok, name, offset, _) = Read(message, 13);
        Assert.True(ok);
        Assert.Equal("www.example.com.", name.ToString());
        Assert.Equal(19, offset);
    }

    [Fact]
    public void Follows_chained_backward_pointers()
    {
        // "com" at 0; "example" + ptr(0) at 5; "www" + ptr(5) at 15.
        var message = Packets.Concat(Packets.Name("com"), [7, .. "example"u8, 0xC0, 0x00], [3, .. "www"u8, 0xC0, 0x05]);
        var (ok, name, _, _) = Read(message, 15);
        Assert.True(ok);
        Assert.Equal("www.example.com.", name.ToString());
    }

    [Fact]
    public void Rejects_a_pointer_to_itself()
    {
        var (ok, _, _, error) = Read([0xC0, 0x00], 0);
        Assert.False(ok);
        Assert.Contains("backwards", error);
    }

    [Fact]
    public void Rejects_a_loop_through_labels_that_lead_back_to_the_pointer()
    {
        // A label then a pointer to the label: backward, but it would come round forever.
        var (ok, _, _, _) = Read([1, (byte)'a', 0xC0, 0x00], 0);
        Assert.False(ok);
    }

    [Fact]
    public void Rejects_mutual_pointers()
    {
        var (ok, _, _, _) = Read([0xC0, 0x02, 0xC0, 0x00], 2);
        Assert.False(ok);
    }

    [Fact]
    public void Rejects_forward_pointers()
    {
        var (ok, _, _, _) = Read([0xC0, 0x02, 0x00], 0);
        Assert.False(ok);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 3, (byte)'a', (byte)'b' })]
    [InlineData(new byte[] { 1, (byte)'a' })]
    [InlineData(new byte[] { 0xC0 })]
    public void Rejects_truncated_names(byte[] message) => Assert.False(Read(message, 0).Ok);

    [Fact]
    public void Accepts_a_63_octet_label_and_rejects_64_as_a_reserved_label_type()
    {
        Assert.True(Read(Packets.Concat([63], new byte[63], [0]), 0).Ok);
        var (ok, _, _, error) = Read(Packets.Concat([64], new byte[64], [0]), 0);
        Assert.False(ok);
        Assert.Contains("reserved", error);
        Assert.False(Read(Packets.Concat([0x80], new byte[0x80], [0]), 0).Ok);
    }

    [Fact]
    public void Rejects_names_longer_than_255_octets_even_through_pointers()
    {
        var label = Packets.Concat([63], Enumerable.Repeat((byte)'x', 63).ToArray());
        // 4 × 64 + root = 257 octets.
        Assert.False(Read(Packets.Concat(label, label, label, label, [0]), 0).Ok);
        // 3 × 64 + 62-octet label... + root = 255: the maximum.
        Assert.True(Read(Packets.Concat(label, label, label, [61], new byte[61], [0]), 0).Ok);
        // 2 labels at 0, then 2 labels + pointer to 0 = 257 octets in total.
        var tail = Packets.Concat(label, [0]);
        var message = Packets.Concat(label, tail, label, label, [0xC0, 0x00]);
        Assert.False(Read(message, tail.Length + label.Length).Ok);
    }
}
