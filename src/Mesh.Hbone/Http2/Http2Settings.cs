using System.Buffers.Binary;

namespace Mesh.Hbone.Http2;

/// <summary>RFC 9113 §6.5.2 setting identifiers (plus RFC 8441's, which we only need to ignore).</summary>
public enum Http2SettingId : ushort
{
    HeaderTableSize = 0x1,
    EnablePush = 0x2,
    MaxConcurrentStreams = 0x3,
    InitialWindowSize = 0x4,
    MaxFrameSize = 0x5,
    MaxHeaderListSize = 0x6,
    EnableConnectProtocol = 0x8,
}

/// <summary>One SETTINGS parameter as carried on the wire.</summary>
public readonly record struct Http2Setting(Http2SettingId Id, uint Value);

/// <summary>
/// One side's settings, starting from the RFC 9113 §6.5.2 initial values; <see cref="Apply"/> folds in a received
/// SETTINGS payload after validating it.
/// </summary>
public sealed class Http2Settings
{
    public const int DefaultInitialWindowSize = 65_535;
    public const int DefaultMaxFrameSize = 16_384;
    public const int MaxWindowSize = int.MaxValue;

    public uint HeaderTableSize { get; private set; } = 4096;
    public bool EnablePush { get; private set; } = true;
    /// <summary>Unlimited until announced.</summary>
    public uint MaxConcurrentStreams { get; private set; } = uint.MaxValue;
    public int InitialWindowSize { get; private set; } = DefaultInitialWindowSize;
    public int MaxFrameSize { get; private set; } = DefaultMaxFrameSize;
    /// <summary>Unlimited until announced.</summary>
    public uint MaxHeaderListSize { get; private set; } = uint.MaxValue;

    /// <summary>Validates and applies a SETTINGS payload (not an ACK); returns the parameters in wire order.</summary>
    public List<Http2Setting> Apply(ReadOnlySpan<byte> payload)
    {
        var settings = Parse(payload);
        foreach (var (id, value) in settings)
        {
            switch (id)
            {
                case Http2SettingId.HeaderTableSize: HeaderTableSize = value; break;
                case Http2SettingId.EnablePush: EnablePush = value == 1; break;
                case Http2SettingId.MaxConcurrentStreams: MaxConcurrentStreams = value; break;
                case Http2SettingId.InitialWindowSize: InitialWindowSize = (int)value; break;
                case Http2SettingId.MaxFrameSize: MaxFrameSize = (int)value; break;
                case Http2SettingId.MaxHeaderListSize: MaxHeaderListSize = value; break;
            }
        }
        return settings;
    }

    /// <summary>Parses and validates a SETTINGS payload; unknown identifiers are kept (and ignored by Apply).</summary>
    public static List<Http2Setting> Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length % 6 != 0)
            throw new Http2ProtocolException(Http2ErrorCode.FrameSizeError,
                $"SETTINGS payload of {payload.Length} octets is not a multiple of 6");
        var settings = new List<Http2Setting>(payload.Length / 6);
        for (var i = 0; i < payload.Length; i += 6)
        {
            var setting = new Http2Setting(
                (Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload[i..]),
                BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]));
            Validate(setting);
            settings.Add(setting);
        }
        return settings;
    }

    /// <summary>Throws the §6.5.2 connection error for an out-of-range value.</summary>
    public static void Validate(Http2Setting setting)
    {
        var (id, value) = setting;
        switch (id)
        {
            case Http2SettingId.EnablePush when value > 1:
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError, $"SETTINGS_ENABLE_PUSH must be 0 or 1, got {value}");
            case Http2SettingId.InitialWindowSize when value > MaxWindowSize:
                throw new Http2ProtocolException(Http2ErrorCode.FlowControlError,
                    $"SETTINGS_INITIAL_WINDOW_SIZE {value} exceeds 2^31-1");
            case Http2SettingId.MaxFrameSize when value is < DefaultMaxFrameSize or > Http2FrameHeader.MaxLength:
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError,
                    $"SETTINGS_MAX_FRAME_SIZE {value} is outside 16384..16777215");
            case Http2SettingId.EnableConnectProtocol when value > 1:
                throw new Http2ProtocolException(Http2ErrorCode.ProtocolError,
                    $"SETTINGS_ENABLE_CONNECT_PROTOCOL must be 0 or 1, got {value}");
        }
    }

    /// <summary>Writes the 6-octet wire form of each setting; returns octets written.</summary>
    public static int Write(ReadOnlySpan<Http2Setting> settings, Span<byte> destination)
    {
        var pos = 0;
        foreach (var setting in settings)
        {
            Validate(setting);
            BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], (ushort)setting.Id);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(pos + 2)..], setting.Value);
            pos += 6;
        }
        return pos;
    }
}
