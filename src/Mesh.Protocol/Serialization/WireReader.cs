using System.Runtime.Serialization;
using System.Text;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Serialization;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote. Every malformed input (truncation, overlong varints, absurd
/// lengths, invalid UTF-8, unknown enum values) surfaces as <see cref="SerializationException"/>; lengths and
/// counts are checked against the remaining bytes before anything is allocated.
/// </summary>
public sealed class WireReader
{
    public const int MaxStringBytes = 16 * 1024 * 1024;
    public const int MaxItems = 10_000_000;

    private readonly byte[] _data;
    private readonly int _end;
    private int _pos;

    public WireReader(byte[] data) : this(data, 0, data.Length) { }

    public WireReader(byte[] data, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, data.Length - offset);
        _data = data;
        _pos = offset;
        _end = offset + count;
    }

    public int Remaining => _end - _pos;

    public byte ReadByte()
    {
        if (_pos >= _end) throw Truncated("a byte");
        return _data[_pos++];
    }

    public ulong ReadVarUInt64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            // The 10th byte may only carry the single remaining bit.
            if (shift == 63 && b > 1) throw Corrupt("varint overflows 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw Corrupt("varint longer than 10 bytes");
    }

    public uint ReadVarUInt32()
    {
        var value = ReadVarUInt64();
        if (value > uint.MaxValue) throw Corrupt("varint overflows 32 bits");
        return (uint)value;
    }

    public int ReadInt32()
    {
        var raw = ReadVarUInt32();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public long ReadInt64()
    {
        var raw = ReadVarUInt64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw Corrupt($"invalid boolean byte {b}"),
    };

    public TEnum ReadEnum<TEnum>() where TEnum : struct, Enum
    {
        if (System.Runtime.CompilerServices.Unsafe.SizeOf<TEnum>() != sizeof(int))
            throw new NotSupportedException($"{typeof(TEnum).Name} is not int-backed");
        var raw = ReadInt32();
        var value = System.Runtime.CompilerServices.Unsafe.As<int, TEnum>(ref raw);
        // Refuse values this build does not know rather than carry them around as magic numbers.
        return Enum.IsDefined(value) ? value : throw Corrupt($"unknown {typeof(TEnum).Name} value {raw}");
    }

    /// <summary>A string that may be null on the wire (the model's string fields are never null in practice).</summary>
    public string? ReadNullableString()
    {
        var prefix = ReadVarUInt32();
        if (prefix == 0) return null;
        var length = prefix - 1;
        if (length > MaxStringBytes) throw Corrupt($"string length {length} exceeds the {MaxStringBytes}-byte limit");
        if (length > Remaining) throw Truncated($"a {length}-byte string");
        string value;
        try { value = WireWriter.Utf8.GetString(_data, _pos, (int)length); }
        catch (DecoderFallbackException e) { throw new SerializationException("Mesh wire: corrupt input: invalid UTF-8 in string", e); }
        _pos += (int)length;
        return value;
    }

    /// <summary>Non-nullable field: whatever was written (a null written by a buggy producer is read back as null).</summary>
    public string ReadString() => ReadNullableString()!;

    public T? ReadOptional<T>(Func<WireReader, T> read) where T : class => ReadByte() switch
    {
        0 => null,
        1 => read(this),
        var b => throw Corrupt($"invalid presence byte {b}"),
    };

    public ValueList<T> ReadList<T>(Func<WireReader, T> read)
    {
        var count = ReadCount();
        if (count == 0) return ValueList<T>.Empty;
        var items = new T[count];
        for (var i = 0; i < items.Length; i++) items[i] = read(this);
        return ValueList<T>.From(items);
    }

    public ValueList<string> ReadStrings() => ReadList(static r => r.ReadString());

    public ValueList<int> ReadInt32s() => ReadList(static r => r.ReadInt32());

    /// <summary>Fails unless every byte was consumed: leftovers mean a layout mismatch or corruption.</summary>
    public void EnsureEnd()
    {
        if (_pos != _end) throw Corrupt($"{Remaining} unexpected trailing bytes");
    }

    private int ReadCount()
    {
        var count = ReadVarUInt32();
        if (count > MaxItems) throw Corrupt($"list count {count} exceeds the {MaxItems}-item limit");
        // Every item takes at least one byte, so a larger count cannot be genuine; check before allocating.
        if (count > Remaining) throw Truncated($"a list of {count} items");
        return (int)count;
    }

    private SerializationException Truncated(string what) =>
        new($"Mesh wire: truncated input: expected {what} at offset {_pos}, but only {Remaining} bytes remain");

    internal static SerializationException Corrupt(string what) => new($"Mesh wire: corrupt input: {what}");
}
