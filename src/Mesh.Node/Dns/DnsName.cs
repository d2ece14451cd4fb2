using System.Text;

namespace Mesh.Node.Dns;

/// <summary>
/// A domain name as its labels (RFC 1035 §3.1), without the root label. Labels keep the case they arrived in so
/// answers echo the question exactly; comparisons for lookups go through <see cref="ToLookupKey"/>.
/// </summary>
public sealed class DnsName
{
    public const int MaxLabelLength = 63;
    public const int MaxWireLength = 255;

    // Every pointer must jump strictly before the segment it came from, which already rules out loops; this cap only
    // bounds the work a hostile packet can make us do.
    private const int MaxPointerJumps = 64;

    public DnsName(IReadOnlyList<string> labels) => Labels = labels;

    public IReadOnlyList<string> Labels { get; }

    public static DnsName Root { get; } = new([]);

    /// <summary>"a.b.c" or "a.b.c." to labels; empty labels are not allowed except the trailing root.</summary>
    public static DnsName Parse(string dotted)
    {
        var trimmed = dotted.EndsWith('.') ? dotted[..^1] : dotted;
        if (trimmed.Length == 0) return Root;
        var labels = trimmed.Split('.');
        if (labels.Any(l => l.Length is 0 or > MaxLabelLength))
            throw new FormatException($"invalid DNS name '{dotted}'");
        return new DnsName(labels);
    }

    /// <summary>
    /// True when every label is printable ASCII without dots or spaces, i.e. the name can round-trip through the
    /// dotted form the mesh resolver uses. Anything else cannot be a mesh name and is simply forwarded.
    /// </summary>
    public bool IsPlainHostname => Labels.All(l => l.All(c => c is > ' ' and < (char)0x7F and not '.'));

    /// <summary>Lower-case dotted form without the trailing dot: the key for mesh lookups (DNS is case-insensitive).</summary>
    public string ToLookupKey() => string.Join('.', Labels).ToLowerInvariant();

    public override string ToString() => Labels.Count == 0 ? "." : string.Join('.', Labels) + ".";

    /// <summary>Exact (case-sensitive) label equality; used to decide whether an answer may point at the question.</summary>
    public bool SameLabels(DnsName other) => Labels.SequenceEqual(other.Labels, StringComparer.Ordinal);

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="offset"/> and advances it past the name's bytes in place
    /// (a pointer ends the in-place bytes). Fails on truncation, reserved label types (0x40/0x80, which also covers
    /// labels longer than 63), names longer than 255 octets, and pointers that do not go strictly backwards.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, ref int offset, out DnsName name, out string? error)
    {
        name = Root;
        var labels = new List<string>();
        var position = offset;
        var segmentStart = offset;
        var end = -1;
        var wireLength = 0;
        var jumps = 0;
        while (true)
        {
            if (position >= message.Length) return Fail("name runs past the end of the message", out error);
            var length = message[position];
            switch (length & 0xC0)
            {
                case 0x00 when length == 0:
                    if (++wireLength > MaxWireLength) return Fail("name longer than 255 octets", out error);
                    offset = end >= 0 ? end : position + 1;
                    name = new DnsName(labels);
                    error = null;
                    return true;
                case 0x00:
                    if (position + 1 + length > message.Length) return Fail("label runs past the end of the message", out error);
                    wireLength += 1 + length;
                    if (wireLength > MaxWireLength) return Fail("name longer than 255 octets", out error);
                    labels.Add(Encoding.Latin1.GetString(message.Slice(position + 1, length)));
                    position += 1 + length;
                    break;
                case 0xC0:
                    if (position + 1 >= message.Length) return Fail("pointer runs past the end of the message", out error);
                    var target = ((length & 0x3F) << 8) | message[position + 1];
                    if (end < 0) end = position + 2;
                    // Strictly decreasing targets: a pointer may only reach data before the segment that holds it.
                    if (target >= segmentStart) return Fail("compression pointer does not point backwards", out error);
                    if (++jumps > MaxPointerJumps) return Fail("too many compression pointers", out error);
                    position = segmentStart = target;
                    break;
                default:
                    return Fail($"reserved label type 0x{length:x2}", out error);
            }
        }
    }

    /// <summary>Uncompressed wire form (we never need to compress anything but the question name, see the builder).</summary>
    public void Write(List<byte> output)
    {
        foreach (var label in Labels)
        {
            output.Add((byte)label.Length);
            output.AddRange(Encoding.Latin1.GetBytes(label));
        }
        output.Add(0);
    }

    private static bool Fail(string why, out string? error)
    {
        error = why;
        return false;
    }
}
