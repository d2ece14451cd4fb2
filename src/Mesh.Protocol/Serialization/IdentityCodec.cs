using Mesh.Protocol.Contracts;

namespace Mesh.Protocol.Serialization;

/// <summary>Wire layout of the certificate-signing messages (PEM text travels as strings).</summary>
public static class IdentityCodec
{
    public static void WriteCsr(WireWriter w, CertificateSigningRequest x)
    {
        w.WriteString(x.Node);
        w.WriteString(x.Identity);
        w.WriteString(x.CsrPem);
    }

    public static CertificateSigningRequest ReadCsr(WireReader r) => new(r.ReadString(), r.ReadString(), r.ReadString());

    public static void WriteIssued(WireWriter w, CertificateIssued x)
    {
        w.WriteString(x.Identity);
        w.WriteString(x.CertificateChainPem);
        w.WriteString(x.TrustBundlePem);
    }

    public static CertificateIssued ReadIssued(WireReader r) => new(r.ReadString(), r.ReadString(), r.ReadString());

    public static void WriteRefused(WireWriter w, CertificateRefused x)
    {
        w.WriteString(x.Identity);
        w.WriteString(x.Reason);
    }

    public static CertificateRefused ReadRefused(WireReader r) => new(r.ReadString(), r.ReadString());
}
