using System.Buffers;
using System.Runtime.Serialization;
using System.Text;
using Mesh.Protocol.Model;

namespace Mesh.Protocol.Serialization;

/// <summary>
/// Appends the mesh wire primitives to a growable buffer: LEB128 varints (zig-zag for signed values),
/// strings as varint(byteLength + 1) + UTF-8 (0 = null), presence bytes and count-prefixed lists.
/// </summary>
public sealed class WireWriter
{
    // Strict: a lone surrogate must fail here rather than silently become U+FFFD on the other side.
    internal static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private const int RetainLimit = 1 << 20;
    [ThreadStatic] private static WireWriter? _cached;

    private readonly ArrayBufferWriter<byte> _buffer;

    public WireWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int Length => _buffer.WrittenCount;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>
    /// Runs <paramref name="write"/> on a per-thread writer and returns a copy of the bytes, so steady-state
    /// serialization allocates only the result array. Not reentrant: codecs never call back into it.
    /// </summary>
    internal static byte[] Rent<TState>(TState state, Action<WireWriter, TState> write)
    {
        var writer = _cached ?? new WireWriter();
        _cached = null; // if write throws halfway or recurses, the next caller gets a fresh writer
        writer._buffer.ResetWrittenCount();
        write(writer, state);
        var bytes = writer.ToArray();
        if (writer._buffer.Capacity <= RetainLimit) _cached = writer; // don't pin a one-off huge buffer per thread
        return bytes;
    }

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteVarUInt64(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    public void WriteVarUInt32(uint value) => WriteVarUInt64(value);

    /// <summary>Zig-zag so small negative numbers stay small.</summary>
    public void WriteInt32(int value) => WriteVarUInt32((uint)((value << 1) ^ (value >> 31)));

    public void WriteInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Enums go as their (int) value; all model enums are int-backed.</summary>
    public void WriteEnum<TEnum>(TEnum value) where TEnum : struct, Enum
    {
        if (System.Runtime.CompilerServices.Unsafe.SizeOf<TEnum>() != sizeof(int))
            throw new NotSupportedException($"{typeof(TEnum).Name} is not int-backed");
        WriteInt32(System.Runtime.CompilerServices.Unsafe.As<TEnum, int>(ref value));
    }

    public void WriteString(string? value)
    {
        if (value is null) { WriteVarUInt32(0); return; }
        int byteCount;
        try { byteCount = Utf8.GetByteCount(value); }
        catch (EncoderFallbackException e) { throw new SerializationException("Mesh wire: string is not valid UTF-16 (lone surrogate)", e); }
        if (byteCount > WireReader.MaxStringBytes)
            throw new SerializationException($"Mesh wire: string of {byteCount} bytes exceeds the {WireReader.MaxStringBytes}-byte limit");
        WriteVarUInt32((uint)byteCount + 1);
        var span = _buffer.GetSpan(byteCount);
        Utf8.GetBytes(value, span);
        _buffer.Advance(byteCount);
    }

    /// <summary>Presence byte, then the value if present.</summary>
    public void WriteOptional<T>(T? value, Action<WireWriter, T> write) where T : class
    {
        if (value is null) { WriteByte(0); return; }
        WriteByte(1);
        write(this, value);
    }

    /// <summary>Count, then the items. A null list (never produced by ValueList.From) is written as empty.</summary>
    public void WriteList<T>(ValueList<T>? items, Action<WireWriter, T> write)
    {
        if (items is null) { WriteVarUInt32(0); return; }
        if (items.Count > WireReader.MaxItems)
            throw new SerializationException($"Mesh wire: list of {items.Count} items exceeds the {WireReader.MaxItems}-item limit");
        WriteVarUInt32((uint)items.Count);
        foreach (var item in items) write(this, item);
    }

    public void WriteStrings(ValueList<string>? items) => WriteList(items, static (w, s) => w.WriteString(s));

    public void WriteInt32s(ValueList<int>? items) => WriteList(items, static (w, i) => w.WriteInt32(i));
}
