using System.Net;
using Mesh.Node.Dns;

namespace Mesh.Node.Tests.Dns;

public class DnsResponseBuilderSpec
{
    private static DnsQuery Parse(byte[] packet)
    {
        Assert.True(DnsQuery.TryParse(packet, out var query, out _));
        return query!;
    }

    [Fact]
    public void Answers_point_at_the_question_and_the_header_follows_ztunnel()
    {
        var query = Parse(Packets.Query("echo.demo", id: 0x0102));
        var answer = DnsRecord.ForAddress(query.Question!.Name, IPAddress.Parse("10.96.0.10"), 30);
        var response = DnsResponseBuilder.Build(query, DnsRcode.NoError, authoritative: true, [answer], 512);

        var question = Packets.Concat(Packets.Name("echo.demo"), Packets.TypeClass(1));
        byte[] expected =
        [
            0x01, 0x02, 0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, // QR AA RD RA, NOERROR
            .. question,
            0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 96, 0, 10,
        ];
        Assert.Equal(expected, response);
    }

    [Fact]
    public void A_cname_answer_writes_its_owner_and_target_in_full()
    {
        var query = Parse(Packets.Query("echo.demo.demo.svc.cluster.local"));
        var target = DnsName.Parse("echo.demo");
        var response = DnsResponseBuilder.Build(query, DnsRcode.NoError, true,
            [DnsRecord.CName(query.Question!.Name, target, 30), DnsRecord.ForAddress(target, IPAddress.Parse("10.0.0.1"), 30)], 512);

        var questionEnd = 12 + Packets.Name("echo.demo.demo.svc.cluster.local").Length + 4;
        byte[] cname = [0xC0, 0x0C, 0, 5, 0, 1, 0, 0, 0, 30, 0, 11, .. Packets.Name("echo.demo")];
        byte[] a = [.. Packets.Name("echo.demo"), 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 0, 1];
        Assert.Equal(Packets.Concat(cname, a), response[questionEnd..]);
        Assert.Equal(2, response[7]);
    }

    [Fact]
    public void Echoes_edns_and_copies_a_clear_rd()
    {
        var packet = Packets.Query("x", edns: true);
        packet[2] = 0; // RD off
        var response = DnsResponseBuilder.Build(Parse(packet), DnsRcode.NoError, false, [], 512);
        Assert.Equal(0x80, response[2]); // QR only
        Assert.Equal(0x80, response[3]); // RA
        Assert.Equal(1, response[11]);
        Assert.Equal(Packets.Opt(), response[^11..]);
    }

    [Fact]
    public void Too_big_for_udp_is_sent_truncated_without_answers()
    {
        var query = Parse(Packets.Query("big"));
        var answers = Enumerable.Range(1, 40).Select(i => DnsRecord.ForAddress(query.Question!.Name, IPAddress.Parse($"10.0.0.{i}"), 30)).ToList();
        var response = DnsResponseBuilder.Build(query, DnsRcode.NoError, true, answers, 512);
        Assert.Equal(0x87, response[2]); // QR AA TC RD
        Assert.Equal(0, response[7]);
        Assert.True(DnsResponseBuilder.Build(query, DnsRcode.NoError, true, answers, 65535).Length > 512);
    }

    [Fact]
    public void Errors_carry_the_rcode_and_the_question()
    {
        var query = Parse(Packets.Query("x"));
        var response = DnsResponseBuilder.Error(query, DnsRcode.ServFail);
        Assert.Equal(0x81, response[2]);
        Assert.Equal(0x82, response[3]);
        Assert.Equal(1, response[5]);
    }
}
