using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Protocol.Identity;

/// <summary>
/// Reads and writes the SPIFFE id of an X.509-SVID: the single URI entry of the SubjectAlternativeName extension.
/// .NET has no public API for URI SANs, so the extension is read and written with the ASN.1 reader/writer.
/// </summary>
public static class SpiffeCertificate
{
    public const string SubjectAltNameOid = "2.5.29.17";

    // GeneralName ::= CHOICE { ..., uniformResourceIdentifier [6] IA5String, ... } (implicit tagging).
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>The SPIFFE id of <paramref name="cert"/>, or an error naming why it has none.</summary>
    public static bool TryGetSpiffeId(
        X509Certificate2 cert, [NotNullWhen(true)] out SpiffeId? id, [NotNullWhen(false)] out string? error)
    {
        id = null;
        if (!TryGetUriSans(cert, out var uris, out error)) return false;
        switch (uris.Count)
        {
            case 0:
                error = "certificate has no URI SAN (an X509-SVID carries its SPIFFE id as exactly one URI SAN)";
                return false;
            case > 1:
                error = $"certificate has {uris.Count} URI SANs ({string.Join(", ", uris)}); an X509-SVID must have exactly one";
                return false;
        }

        var uri = uris[0];
        // "SPIFFE://..." is a spiffe id with a bad scheme (malformed), "https://..." is not a spiffe id at all.
        if (!uri.StartsWith("spiffe:", StringComparison.OrdinalIgnoreCase))
        {
            error = $"URI SAN '{uri}' is not a SPIFFE id (scheme must be spiffe)";
            return false;
        }
        if (!SpiffeId.TryParse(uri, out id, out var parseError))
        {
            error = $"URI SAN is a malformed SPIFFE id: {parseError}";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>All URI SANs of the certificate (none when it has no SAN extension).</summary>
    public static bool TryGetUriSans(
        X509Certificate2 cert, out IReadOnlyList<string> uris, [NotNullWhen(false)] out string? error)
    {
        var found = new List<string>();
        uris = found;
        var sans = cert.Extensions.Where(e => e.Oid?.Value == SubjectAltNameOid).ToList();
        if (sans.Count == 0) { error = null; return true; }
        // RFC 5280 4.2: an extension must not appear twice; a second SAN could smuggle a second identity.
        if (sans.Count > 1) { error = "certificate has more than one SubjectAlternativeName extension"; return false; }

        try
        {
            var reader = new AsnReader(sans[0].RawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            while (names.HasData)
            {
                if (names.PeekTag().HasSameClassAndValue(UriTag))
                    found.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                else
                    names.ReadEncodedValue();
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            error = $"SubjectAlternativeName extension is malformed: {e.Message}";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>A critical SAN extension with exactly this id (critical because SVIDs have an empty subject).</summary>
    public static X509Extension CreateSanExtension(SpiffeId id) => CreateUriSanExtension([id.ToString()], critical: true);

    /// <summary>Writes the strings verbatim (unlike System.Uri, which normalises case and escapes); tests craft bad ids with it.</summary>
    internal static X509Extension CreateUriSanExtension(IEnumerable<string> uris, bool critical)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var uri in uris) writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, UriTag);
        }
        return new X509Extension(SubjectAltNameOid, writer.Encode(), critical);
    }
}
