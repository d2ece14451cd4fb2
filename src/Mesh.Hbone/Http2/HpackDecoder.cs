using System.Buffers;
using System.Text;

namespace Mesh.Hbone.Http2;

/// <summary>
/// RFC 7541 header block decoder for one HTTP/2 connection (the dynamic table spans header blocks, so blocks must be
/// decoded in the order they arrive). Any malformed input raises <see cref="HpackException"/>.
/// </summary>
public sealed class HpackDecoder
{
    /// <summary>SETTINGS_HEADER_TABLE_SIZE initial value (RFC 9113 §6.5.2).</summary>
    public const int DefaultHeaderTableSize = 4096;

    /// <summary>Our default SETTINGS_MAX_HEADER_LIST_SIZE: HBONE responses carry a handful of short fields.</summary>
    public const int DefaultMaxHeaderListSize = 64 * 1024;

    private readonly HpackDynamicTable _table;
    private int _maxAllowedTableSize;
    private bool _sizeUpdateRequired;

    public HpackDecoder(int maxHeaderTableSize = DefaultHeaderTableSize, int maxHeaderListSize = DefaultMaxHeaderListSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxHeaderTableSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeaderListSize);
        _maxAllowedTableSize = maxHeaderTableSize;
        _table = new HpackDynamicTable(maxHeaderTableSize);
        MaxHeaderListSize = maxHeaderListSize;
    }

    /// <summary>Bound on a decoded header list, counted as in RFC 9113 §6.5.2 (name + value + 32 per field).</summary>
    public int MaxHeaderListSize { get; }

    /// <summary>Current dynamic table size in octets.</summary>
    public int DynamicTableSize => _table.Size;

    /// <summary>Current dynamic table maximum (as last set by the peer's encoder).</summary>
    public int DynamicTableMaxSize => _table.MaxSize;

    public int DynamicTableCount => _table.Count;

    /// <summary>Dynamic table entry, 0 = newest (HPACK index 62).</summary>
    public HeaderField GetDynamicEntry(int index) => _table[index];

    /// <summary>
    /// Applies our SETTINGS_HEADER_TABLE_SIZE once the peer acknowledged it. When it shrinks below the table's current
    /// maximum, the next header block must start with a size update (RFC 7541 §4.2).
    /// </summary>
    public void SetMaxHeaderTableSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        _maxAllowedTableSize = size;
        if (size < _table.MaxSize)
            _sizeUpdateRequired = true;
    }

    /// <summary>Decodes one complete header block (HEADERS + CONTINUATION payloads, concatenated).</summary>
    public List<HeaderField> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<HeaderField>();
        Decode(block, fields);
        return fields;
    }

    /// <summary>Decodes one complete header block, appending the fields to <paramref name="fields"/>.</summary>
    public void Decode(ReadOnlySpan<byte> block, List<HeaderField> fields)
    {
        var pos = 0;
        var listSize = 0;
        var sawField = false;
        while (pos < block.Length)
        {
            var b = block[pos];
            if ((b & 0xE0) == 0x20)
            {
                // §6.3 dynamic table size update: only before the first field (RFC 9113 §4.3.1).
                if (sawField)
                    throw new HpackException("Dynamic table size update after a header field.");
                var size = ReadInteger(block, ref pos, 5);
                if (size > _maxAllowedTableSize)
                    throw new HpackException(
                        $"Dynamic table size update to {size} exceeds SETTINGS_HEADER_TABLE_SIZE {_maxAllowedTableSize}.");
                _table.SetMaxSize(size);
                _sizeUpdateRequired = false;
                continue;
            }
            if (_sizeUpdateRequired)
                throw new HpackException("Header block must start with a dynamic table size update.");
            sawField = true;

            HeaderField field;
            if ((b & 0x80) != 0)
            {
                field = GetIndexed(ReadInteger(block, ref pos, 7));
            }
            else if ((b & 0xC0) == 0x40)
            {
                field = ReadLiteral(block, ref pos, 6);
                _table.Add(field);
            }
            else
            {
                // 0000xxxx without indexing, 0001xxxx never indexed: same wire shape, differ only for intermediaries.
                field = ReadLiteral(block, ref pos, 4);
            }

            listSize += field.Size;
            if (listSize > MaxHeaderListSize)
                throw new HpackException($"Header list exceeds the limit of {MaxHeaderListSize} octets.");
            fields.Add(field);
        }
        if (_sizeUpdateRequired)
            throw new HpackException("Header block must start with a dynamic table size update.");
    }

    private HeaderField GetIndexed(int index)
    {
        if (index == 0)
            throw new HpackException("Header field index 0 is not valid.");
        if (index <= HpackStaticTable.Count)
            return HpackStaticTable.Get(index);
        var dynamicIndex = index - HpackStaticTable.Count - 1;
        if (dynamicIndex >= _table.Count)
            throw new HpackException(
                $"Header field index {index} is beyond the static and dynamic tables ({HpackStaticTable.Count + _table.Count} entries).");
        return _table[dynamicIndex];
    }

    private HeaderField ReadLiteral(ReadOnlySpan<byte> block, ref int pos, int prefixBits)
    {
        var nameIndex = ReadInteger(block, ref pos, prefixBits);
        var name = nameIndex == 0 ? ReadString(block, ref pos) : GetIndexed(nameIndex).Name;
        var value = ReadString(block, ref pos);
        return new HeaderField(name, value);
    }

    private string ReadString(ReadOnlySpan<byte> block, ref int pos)
    {
        if (pos >= block.Length)
            throw Truncated();
        var huffman = (block[pos] & 0x80) != 0;
        var length = ReadInteger(block, ref pos, 7);
        if (length > block.Length - pos)
            throw Truncated();
        var raw = block.Slice(pos, length);
        pos += length;
        if (length > MaxHeaderListSize)
            throw new HpackException($"Header string of {length} octets exceeds the header list limit of {MaxHeaderListSize}.");
        if (!huffman)
            return Encoding.Latin1.GetString(raw);

        var capacity = Math.Min(HpackHuffman.MaxDecodedLength(length), MaxHeaderListSize);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        try
        {
            var written = HpackHuffman.Decode(raw, buffer.AsSpan(0, capacity));
            return Encoding.Latin1.GetString(buffer, 0, written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>RFC 7541 §5.1 prefix integer, bounded to <see cref="int.MaxValue"/>.</summary>
    internal static int ReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits)
    {
        if (pos >= block.Length)
            throw Truncated();
        var max = (1 << prefixBits) - 1;
        long value = block[pos++] & max;
        if (value < max)
            return (int)value;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 28)
                throw new HpackException("HPACK integer is too long.");
            if (pos >= block.Length)
                throw Truncated();
            var b = block[pos++];
            value += (long)(b & 0x7F) << shift;
            if (value > int.MaxValue)
                throw new HpackException("HPACK integer overflows 2^31-1.");
            if ((b & 0x80) == 0)
                return (int)value;
        }
    }

    private static HpackException Truncated() => new("Header block is truncated.");
}
