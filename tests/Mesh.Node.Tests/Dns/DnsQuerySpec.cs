using Mesh.Node.Dns;

namespace Mesh.Node.Tests.Dns;

public class DnsQuerySpec
{
    [Fact]
    public void Parses_header_question_and_edns()
    {
        var packet = Packets.Query("Echo.demo", type: DnsType.Aaaa, id: 0xBEEF, edns: true);
        Assert.True(DnsQuery.TryParse(packet, out var query, out _));
        Assert.Equal(0xBEEF, query!.Id);
        Assert.True(query.RecursionDesired);
        Assert.False(query.IsResponse);
        Assert.Equal(0, query.Opcode);
        Assert.Equal("Echo.demo.", query.Question!.Name.ToString());
        Assert.Equal(DnsType.Aaaa, query.Question.Type);
        Assert.Equal(new DnsEdns(1232, 0, true), query.Edns);
    }

    [Fact]
    public void Walks_records_whose_names_point_at_the_question()
    {
        // An answer record in a query (unusual but legal) with owner name C00C.
        byte[] record = [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 0, 1];
        var packet = Packets.Concat(Packets.Header(an: 1, ar: 1), Packets.Name("echo"), Packets.TypeClass(1), record, Packets.Opt());
        Assert.True(DnsQuery.TryParse(packet, out var query, out _));
        Assert.NotNull(query!.Edns);
    }

    [Fact]
    public void Every_truncation_of_a_valid_query_is_rejected_without_throwing()
    {
        var packet = Packets.Query("echo.demo.svc.cluster.local", edns: true);
        for (var length = 0; length < packet.Length; length++)
            Assert.False(DnsQuery.TryParse(packet.AsSpan(0, length), out _, out _), $"length {length}");
    }

    [Fact]
    public void Record_data_longer_than_the_packet_is_rejected()
    {
        byte[] badOpt = [0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0xFF, 0xFF];
        Assert.False(DnsQuery.TryParse(Packets.Concat(Packets.Header(ar: 1), Packets.Name("a"), Packets.TypeClass(1), badOpt), out _, out _));
    }

    [Fact]
    public void Two_opt_records_are_rejected()
    {
        Assert.False(DnsQuery.TryParse(Packets.Concat(Packets.Header(ar: 2), Packets.Name("a"), Packets.TypeClass(1), Packets.Opt(), Packets.Opt()),
            out _, out _));
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(42);
        for (var i = 0; i < 20_000; i++)
        {
            var packet = new byte[random.Next(0, 80)];
            random.NextBytes(packet);
            // Make most of them look like one-question queries so the name parser gets exercised.
            if (packet.Length >= 12 && i % 2 == 0) { packet[4] = 0; packet[5] = 1; }
            DnsQuery.TryParse(packet, out _, out _);
        }
    }
}
