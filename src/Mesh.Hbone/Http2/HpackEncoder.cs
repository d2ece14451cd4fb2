using System.Buffers;

namespace Mesh.Hbone.Http2;

/// <summary>
/// RFC 7541 encoder for our requests: static-table indexed fields and names, literals without indexing (we never
/// populate the peer's dynamic table, so there is no encoder state to keep in sync), optional Huffman coding.
/// </summary>
public sealed class HpackEncoder(bool useHuffman = true)
{
    private bool _sizeUpdatePending;

    public bool UseHuffman { get; } = useHuffman;

    /// <summary>
    /// Peer's SETTINGS_HEADER_TABLE_SIZE changed. We use no dynamic table, so the next block just announces size 0 —
    /// valid for any limit, and some decoders insist on an update after the limit shrinks (RFC 7541 §4.2).
    /// </summary>
    public void OnPeerHeaderTableSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        _sizeUpdatePending = true;
    }

    /// <summary>Encodes a complete header block.</summary>
    public void Encode(ReadOnlySpan<HeaderField> fields, IBufferWriter<byte> output)
    {
        foreach (var field in fields)
            Encode(field.Name, field.Value, output);
    }

    /// <summary>
    /// Encodes one field. <paramref name="neverIndex"/> marks sensitive values (§6.2.3) so intermediaries won't index
    /// them. Names must be lowercase (RFC 9113 §8.2.1).
    /// </summary>
    public void Encode(string name, string value, IBufferWriter<byte> output, bool neverIndex = false)
    {
        Validate(name, value);
        // Upper bound: size update + representation byte + two 5-byte length integers + raw strings.
        var span = output.GetSpan(6 + 2 * 6 + name.Length + value.Length);
        var pos = 0;
        if (_sizeUpdatePending)
        {
            pos += WriteInteger(span, 0x20, 5, 0);
            _sizeUpdatePending = false;
        }

        if (!neverIndex && HpackStaticTable.TryFindField(name, value, out var fieldIndex))
        {
            pos += WriteInteger(span[pos..], 0x80, 7, fieldIndex);
        }
        else
        {
            var flag = neverIndex ? (byte)0x10 : (byte)0x00;
            if (HpackStaticTable.TryFindName(name, out var nameIndex))
            {
                pos += WriteInteger(span[pos..], flag, 4, nameIndex);
            }
            else
            {
                span[pos++] = flag;
                pos += WriteString(span[pos..], name);
            }
            pos += WriteString(span[pos..], value);
        }
        output.Advance(pos);
    }

    private int WriteString(Span<byte> destination, string value)
    {
        if (UseHuffman)
        {
            var huffmanLength = HpackHuffman.GetEncodedLength(value);
            if (huffmanLength < value.Length) // only when it saves space
            {
                var n = WriteInteger(destination, 0x80, 7, huffmanLength);
                return n + HpackHuffman.Encode(value, destination[n..]);
            }
        }
        var written = WriteInteger(destination, 0x00, 7, value.Length);
        for (var i = 0; i < value.Length; i++)
            destination[written + i] = (byte)value[i];
        return written + value.Length;
    }

    /// <summary>RFC 7541 §5.1 prefix integer; <paramref name="flags"/> fills the bits above the prefix.</summary>
    internal static int WriteInteger(Span<byte> destination, byte flags, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            destination[0] = (byte)(flags | value);
            return 1;
        }
        destination[0] = (byte)(flags | max);
        var written = 1;
        var rest = (uint)(value - max);
        while (rest >= 0x80)
        {
            destination[written++] = (byte)(rest | 0x80);
            rest >>= 7;
        }
        destination[written++] = (byte)rest;
        return written;
    }

    private static void Validate(string name, string value)
    {
        if (name.Length == 0)
            throw new ArgumentException("Header name is empty.", nameof(name));
        foreach (var c in name)
        {
            if (c is >= 'A' and <= 'Z' || c > 0xFF || c <= ' ')
                throw new ArgumentException($"Header name '{name}' must be lowercase visible octets.", nameof(name));
        }
        foreach (var c in value)
        {
            // NUL/CR/LF would let a value smuggle extra fields through HTTP/1 hops (RFC 9113 §8.2.1).
            if (c is '\0' or '\r' or '\n' || c > 0xFF)
                throw new ArgumentException($"Header '{name}' has a value with a forbidden character.", nameof(value));
        }
    }
}
