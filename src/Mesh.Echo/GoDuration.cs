namespace Mesh.Echo;

/// <summary>
/// Parses durations with Go's <c>time.ParseDuration</c> grammar and error texts, because echo-basic's
/// <c>?delay=</c> accepts exactly that ("300ms", "1.5h", "2h45m", "-1s"; units ns us µs μs ms s m h).
/// </summary>
public static class GoDuration
{
    private const ulong Overflow = 1UL << 63;

    public static bool TryParse(string text, out TimeSpan duration, out string? error)
    {
        duration = TimeSpan.Zero;
        error = null;
        if (!TryParseNanoseconds(text, out var nanos, out error))
        {
            return false;
        }

        // TimeSpan has 100 ns ticks; sub-tick remainders cannot be slept anyway.
        duration = TimeSpan.FromTicks(nanos / 100);
        return true;
    }

    public static bool TryParseNanoseconds(string text, out long nanoseconds, out string? error)
    {
        nanoseconds = 0;
        error = null;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return Fail(text, out error);
        }

        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                return Fail(text, out error);
            }

            var before = s.Length;
            if (!TryLeadingInt(ref s, out var whole))
            {
                return Fail(text, out error);
            }

            var hasWhole = before != s.Length;
            ulong fraction = 0;
            double scale = 1;
            var hasFraction = false;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                before = s.Length;
                LeadingFraction(ref s, out fraction, out scale);
                hasFraction = before != s.Length;
            }

            if (!hasWhole && !hasFraction)
            {
                return Fail(text, out error);
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = $"time: missing unit in duration {Quote(text)}";
                return false;
            }

            var unitText = s[..unitLength];
            s = s[unitLength..];
            if (UnitNanoseconds(unitText) is not { } unit)
            {
                error = $"time: unknown unit {Quote(unitText.ToString())} in duration {Quote(text)}";
                return false;
            }

            if (whole > Overflow / unit)
            {
                return Fail(text, out error);
            }

            whole *= unit;
            if (fraction > 0)
            {
                whole += (ulong)(fraction * (unit / scale));
                if (whole > Overflow)
                {
                    return Fail(text, out error);
                }
            }

            total += whole;
            if (total > Overflow)
            {
                return Fail(text, out error);
            }
        }

        if (negative)
        {
            nanoseconds = total == Overflow ? long.MinValue : -(long)total;
            return true;
        }

        if (total > long.MaxValue)
        {
            return Fail(text, out error);
        }

        nanoseconds = (long)total;
        return true;
    }

    private static bool TryLeadingInt(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > Overflow / 10)
            {
                return false;
            }

            value = value * 10 + (ulong)(s[i] - '0');
            if (value > Overflow)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    // Digits past what fits are consumed but ignored, as Go does.
    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong value, out double scale)
    {
        value = 0;
        scale = 1;
        var overflowed = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflowed)
            {
                continue;
            }

            if (value > (Overflow - 1) / 10)
            {
                overflowed = true;
                continue;
            }

            var next = value * 10 + (ulong)(s[i] - '0');
            if (next > Overflow)
            {
                overflowed = true;
                continue;
            }

            value = next;
            scale *= 10;
        }

        s = s[i..];
    }

    private static ulong? UnitNanoseconds(ReadOnlySpan<char> unit) => unit switch
    {
        "ns" => 1UL,
        "us" or "\u00b5s" or "\u03bcs" => 1_000UL,
        "ms" => 1_000_000UL,
        "s" => 1_000_000_000UL,
        "m" => 60UL * 1_000_000_000UL,
        "h" => 3600UL * 1_000_000_000UL,
        _ => null,
    };

    private static bool Fail(string text, out string error)
    {
        error = $"time: invalid duration {Quote(text)}";
        return false;
    }

    // Close enough to strconv.Quote for error messages: escape quotes, backslashes and control characters.
    private static string Quote(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when char.IsControl(c) => builder.Append($"\\x{(int)c:x2}"),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }
}
