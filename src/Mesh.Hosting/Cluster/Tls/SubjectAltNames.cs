using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Hosting.Cluster.Tls;

/// <summary>Reads URI SANs, which <see cref="X509SubjectAlternativeNameExtension"/> does not enumerate (DNS and IP only).</summary>
public static class SubjectAltNames
{
    private const string SanOid = "2.5.29.17";
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    public static IReadOnlyList<string> Uris(X509Certificate2 certificate)
    {
        var uris = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SanOid) continue;
            var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                if (names.PeekTag().HasSameClassAndValue(UriTag))
                    uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                else
                    names.ReadEncodedValue();
            }
        }
        return uris;
    }
}
