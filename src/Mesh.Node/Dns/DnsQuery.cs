using System.Buffers.Binary;

namespace Mesh.Node.Dns;

/// <summary>Record types and classes the proxy cares about.</summary>
public static class DnsType
{
    public const ushort A = 1;
    public const ushort CName = 5;
    public const ushort Aaaa = 28;
    public const ushort Opt = 41;
    public const ushort ClassIn = 1;
}

/// <summary>Response codes (RFC 1035 §4.1.1).</summary>
public static class DnsRcode
{
    public const byte NoError = 0;
    public const byte FormErr = 1;
    public const byte ServFail = 2;
    public const byte NxDomain = 3;
    public const byte NotImp = 4;
}

public sealed record DnsQuestion(DnsName Name, ushort Type, ushort Class);

/// <summary>The requester's EDNS0 OPT pseudo-record (RFC 6891): only what a response has to reflect.</summary>
public sealed record DnsEdns(ushort PayloadSize, byte Version, bool DnssecOk);

/// <summary>
/// A parsed query. Only the header, the first question and an OPT record are kept; answer/authority/additional
/// records are walked (so a bad one makes the packet malformed) but otherwise ignored.
/// </summary>
public sealed record DnsQuery(ushort Id, ushort Flags, int QuestionCount, DnsQuestion? Question, DnsEdns? Edns)
{
    public const int HeaderLength = 12;

    public bool IsResponse => (Flags & 0x8000) != 0;
    public int Opcode => (Flags >> 11) & 0xF;
    public bool RecursionDesired => (Flags & 0x0100) != 0;

    /// <summary>Parses <paramref name="message"/>; never throws on any input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out DnsQuery? query, out string? error)
    {
        query = null;
        if (message.Length < HeaderLength)
        {
            error = "shorter than a DNS header";
            return false;
        }
        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        int qd = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int ar = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        var offset = HeaderLength;

        DnsQuestion? first = null;
        for (var i = 0; i < qd; i++)
        {
            if (!DnsName.TryRead(message, ref offset, out var name, out error)) return false;
            if (offset + 4 > message.Length)
            {
                error = "question runs past the end of the message";
                return false;
            }
            first ??= new DnsQuestion(name, BinaryPrimitives.ReadUInt16BigEndian(message[offset..]),
                BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]));
            offset += 4;
        }

        DnsEdns? edns = null;
        for (var i = 0; i < an + ns + ar; i++)
        {
            if (!DnsName.TryRead(message, ref offset, out var name, out error)) return false;
            if (offset + 10 > message.Length)
            {
                error = "record runs past the end of the message";
                return false;
            }
            var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
            int rdLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            offset += 10;
            if (offset + rdLength > message.Length)
            {
                error = "record data runs past the end of the message";
                return false;
            }
            offset += rdLength;
            if (type != DnsType.Opt) continue;
            // RFC 6891 §6.1.1: one OPT, owned by the root, in the additional section.
            if (edns is not null || name.Labels.Count != 0 || i < an + ns)
            {
                error = "misplaced or duplicate OPT record";
                return false;
            }
            edns = new DnsEdns(@class, (byte)(ttl >> 16), (ttl & 0x8000) != 0);
        }

        query = new DnsQuery(id, flags, qd, first, edns);
        error = null;
        return true;
    }
}
