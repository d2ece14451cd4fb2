using System.Net;
using System.Net.Sockets;

namespace Mesh.Control.Ambient;

/// <summary>Parses "a.b.c.d/n", "a::b/n" or a bare address (full length), like Go's netip used by Istio.</summary>
internal static class Cidr
{
    public static (IPAddress Address, int Length)? Parse(string text)
    {
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%')) return null;
        // IPAddress.TryParse accepts shorthand like "10" or "1.2.3"; an address must be written in full.
        if (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3) return null;
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash < 0) return (address, max);
        var lengthText = text[(slash + 1)..];
        if (lengthText.Length == 0 || !lengthText.All(char.IsAsciiDigit) || !int.TryParse(lengthText, out var length) || length > max)
            return null;
        return (address, length);
    }

    /// <summary>The address with host bits cleared, so equal ranges compare equal.</summary>
    public static IPAddress Network(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }
}
