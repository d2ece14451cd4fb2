using System.Buffers.Binary;

namespace Mesh.Node.Dns;

/// <summary>
/// Writes responses the way ztunnel's handler does (hickory's Header::response_from_request): ID, opcode and RD
/// copied from the query, QR and RA set, AA only for names we answer ourselves, AD/CD clear, the question echoed,
/// and an OPT record when the query carried one.
/// </summary>
public static class DnsResponseBuilder
{
    /// <summary>Classic UDP limit when the client did not advertise a bigger one via EDNS0.</summary>
    public const int UdpDefaultLimit = 512;

    private const ushort QuestionPointer = 0xC000 | DnsQuery.HeaderLength;

    public static byte[] Build(DnsQuery query, byte rcode, bool authoritative, IReadOnlyList<DnsRecord> answers, int maxLength)
    {
        var full = Write(query, rcode, authoritative, answers, truncated: false);
        // Over the limit: send no answers with TC set so the client retries over TCP (RFC 1035 §4.2.1, RFC 7766).
        return full.Length <= maxLength ? full : Write(query, rcode, authoritative, [], truncated: true);
    }

    public static byte[] Error(DnsQuery query, byte rcode) => Write(query, rcode, authoritative: false, [], truncated: false);

    /// <summary>The largest UDP response the client accepts: its EDNS0 payload size, never below 512.</summary>
    public static int UdpLimit(DnsQuery query) => Math.Max(UdpDefaultLimit, (int)(query.Edns?.PayloadSize ?? 0));

    private static byte[] Write(DnsQuery query, byte rcode, bool authoritative, IReadOnlyList<DnsRecord> answers, bool truncated)
    {
        var output = new List<byte>(512);
        var flags = 0x8000 | (query.Opcode << 11) | (query.Flags & 0x0100) | 0x0080 | (rcode & 0xF);
        if (authoritative) flags |= 0x0400;
        if (truncated) flags |= 0x0200;
        WriteUInt16(output, query.Id);
        WriteUInt16(output, (ushort)flags);
        WriteUInt16(output, (ushort)(query.Question is null ? 0 : 1));
        WriteUInt16(output, (ushort)answers.Count);
        WriteUInt16(output, 0);
        WriteUInt16(output, (ushort)(query.Edns is null ? 0 : 1));

        if (query.Question is { } question)
        {
            question.Name.Write(output);
            WriteUInt16(output, question.Type);
            WriteUInt16(output, question.Class);
        }

        foreach (var answer in answers)
        {
            // The question name sits right after the header; answers for it point there (RFC 1035 §4.1.4).
            if (query.Question is { } q && answer.Name.SameLabels(q.Name))
                WriteUInt16(output, QuestionPointer);
            else
                answer.Name.Write(output);
            WriteUInt16(output, answer.Type);
            WriteUInt16(output, DnsType.ClassIn);
            WriteUInt32(output, answer.Ttl);
            var rdata = new List<byte>();
            if (answer.Address is { } address) rdata.AddRange(address.GetAddressBytes());
            else answer.Target?.Write(rdata);
            WriteUInt16(output, (ushort)rdata.Count);
            output.AddRange(rdata);
        }

        if (query.Edns is { } edns)
        {
            // As ztunnel's response_edns: payload max(requested, 512), same version, DO echoed, no options.
            output.Add(0);
            WriteUInt16(output, DnsType.Opt);
            WriteUInt16(output, (ushort)Math.Max(UdpDefaultLimit, (int)edns.PayloadSize));
            WriteUInt32(output, ((uint)edns.Version << 16) | (edns.DnssecOk ? 0x8000u : 0u));
            WriteUInt16(output, 0);
        }
        return output.ToArray();
    }

    private static void WriteUInt16(List<byte> output, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        output.AddRange(bytes);
    }

    private static void WriteUInt32(List<byte> output, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        output.AddRange(bytes);
    }
}
