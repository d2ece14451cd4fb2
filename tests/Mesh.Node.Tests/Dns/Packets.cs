using System.Text;

namespace Mesh.Node.Tests.Dns;

/// <summary>Hand-built DNS packets, so the tests do not depend on the builder they check.</summary>
internal static class Packets
{
    public static byte[] Header(ushort id = 0x1234, ushort flags = 0x0100, ushort qd = 1, ushort an = 0, ushort ns = 0, ushort ar = 0) =>
    [
        (byte)(id >> 8), (byte)id, (byte)(flags >> 8), (byte)flags,
        (byte)(qd >> 8), (byte)qd, (byte)(an >> 8), (byte)an, (byte)(ns >> 8), (byte)ns, (byte)(ar >> 8), (byte)ar,
    ];

    public static byte[] Name(string dotted)
    {
        var bytes = new List<byte>();
        foreach (var label in dotted.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.Add(0);
        return [.. bytes];
    }

    public static byte[] TypeClass(ushort type, ushort @class = 1) => [(byte)(type >> 8), (byte)type, (byte)(@class >> 8), (byte)@class];

    /// <summary>An EDNS0 OPT pseudo-record: root name, type 41, payload 1232, DO set.</summary>
    public static byte[] Opt(ushort payload = 1232, bool dnssecOk = true) =>
        [0, 0, 41, (byte)(payload >> 8), (byte)payload, 0, 0, (byte)(dnssecOk ? 0x80 : 0), 0, 0, 0];

    public static byte[] Query(string name, ushort type = 1, ushort id = 0x1234, bool edns = false) =>
        [.. Header(id, ar: (ushort)(edns ? 1 : 0)), .. Name(name), .. TypeClass(type), .. (edns ? Opt() : [])];

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
