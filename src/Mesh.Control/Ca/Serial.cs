using System.Security.Cryptography;

namespace Mesh.Control.Ca;

/// <summary>Random positive certificate serial numbers (RFC 5280: unique per issuer, at most 20 octets).</summary>
internal static class Serial
{
    /// <summary>128 random bits behind a zero octet, so the DER INTEGER stays positive without losing the top bit.</summary>
    public static byte[] New()
    {
        var serial = new byte[17];
        RandomNumberGenerator.Fill(serial.AsSpan(1));
        return serial;
    }
}
