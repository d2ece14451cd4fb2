using System.Buffers.Binary;

namespace Mesh.Hbone.Http2;

/// <summary>The 9-octet frame header (RFC 9113 §4.1): 24-bit length, type, flags, R bit + 31-bit stream id.</summary>
public readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, Http2FrameFlags Flags, int StreamId)
{
    public const int Size = 9;

    /// <summary>Largest payload the 24-bit length can carry (and the SETTINGS_MAX_FRAME_SIZE ceiling).</summary>
    public const int MaxLength = (1 << 24) - 1;

    public bool HasFlag(Http2FrameFlags flag) => (Flags & flag) != 0;

    /// <summary>Reads a header; the reserved bit is ignored as §4.1 requires.</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
            throw new ArgumentException($"A frame header needs {Size} octets.", nameof(source));
        var length = (source[0] << 16) | (source[1] << 8) | source[2];
        var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7FFF_FFFF);
        return new Http2FrameHeader(length, (Http2FrameType)source[3], (Http2FrameFlags)source[4], streamId);
    }

    public void Write(Span<byte> destination)
    {
        if ((uint)Length > MaxLength)
            throw new InvalidOperationException($"Frame length {Length} does not fit 24 bits.");
        if (StreamId < 0)
            throw new InvalidOperationException($"Stream id {StreamId} is negative.");
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId);
    }

    public override string ToString() => $"{Type} stream={StreamId} len={Length} flags=0x{(byte)Flags:x2}";
}
