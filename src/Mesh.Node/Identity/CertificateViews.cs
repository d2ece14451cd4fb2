using Mesh.Protocol.Admin;

namespace Mesh.Node.Identity;

/// <summary>The admin view of the certificate store: leaves per identity, then the trust bundle's roots.</summary>
public static class CertificateViews
{
    public static IReadOnlyList<CertificateView> Of(CertificateStore store, DateTimeOffset now)
    {
        var views = new List<CertificateView>();
        var roots = new Dictionary<string, System.Security.Cryptography.X509Certificates.X509Certificate2>(StringComparer.Ordinal);
        foreach (var (identity, state, current, error) in store.Snapshot())
        {
            views.Add(new CertificateView(identity, "leaf", state.ToString(),
                current is not null && current.NotBefore <= now && now < current.NotAfter,
                current?.SerialNumber, current?.NotBefore, current?.NotAfter, error));
            if (current is null) continue;
            foreach (var root in current.Bundle.Roots) roots.TryAdd(root.Thumbprint, root);
        }
        foreach (var root in roots.Values.OrderBy(r => r.NotBefore))
            views.Add(new CertificateView(root.Subject, "root", "Available",
                root.NotBefore.ToUniversalTime() <= now && now < root.NotAfter.ToUniversalTime(), root.SerialNumber,
                root.NotBefore.ToUniversalTime(), root.NotAfter.ToUniversalTime(), null));
        return views;
    }
}
