using Mesh.Protocol.Model;

namespace Mesh.Protocol.Authz;

/// <summary>
/// A <see cref="Match"/> ready for the hot path: IP blocks parsed once, every check allocation-free.
/// Within a field values OR; fields AND; a <c>Not*</c> field fails when any of its values matches.
/// A plaintext peer (no identity) matches no principal, namespace or service account, so it satisfies every
/// <c>Not*</c> identity field — as Istio's ztunnel does.
/// </summary>
internal sealed class CompiledMatch
{
    public CompiledMatch(Match source)
    {
        Source = source;
        SourceIps = Compile(source.SourceIps);
        NotSourceIps = Compile(source.NotSourceIps);
        DestinationIps = Compile(source.DestinationIps);
        NotDestinationIps = Compile(source.NotDestinationIps);
        IsEmpty = source.Namespaces.Count + source.NotNamespaces.Count + source.Principals.Count + source.NotPrincipals.Count
                  + source.SourceIps.Count + source.NotSourceIps.Count + source.DestinationIps.Count + source.NotDestinationIps.Count
                  + source.DestinationPorts.Count + source.NotDestinationPorts.Count
                  + source.ServiceAccounts.Count + source.NotServiceAccounts.Count == 0;
    }

    public Match Source { get; }
    public bool IsEmpty { get; }
    public CidrRange[] SourceIps { get; }
    public CidrRange[] NotSourceIps { get; }
    public CidrRange[] DestinationIps { get; }
    public CidrRange[] NotDestinationIps { get; }

    /// <summary><see cref="MatchField.None"/> when the request matches, else the first field that failed.</summary>
    public MatchField Check(in AuthorizationRequest r)
    {
        if (IsEmpty) return MatchField.Empty;
        var m = Source;
        if (DestinationIps.Length > 0 && !AnyContains(DestinationIps, r.DestinationBits)) return MatchField.DestinationIps;
        if (AnyContains(NotDestinationIps, r.DestinationBits)) return MatchField.NotDestinationIps;
        if (SourceIps.Length > 0 && !AnyContains(SourceIps, r.SourceBits)) return MatchField.SourceIps;
        if (AnyContains(NotSourceIps, r.SourceBits)) return MatchField.NotSourceIps;
        if (m.DestinationPorts.Count > 0 && !HasPort(m.DestinationPorts, r.DestinationPort)) return MatchField.DestinationPorts;
        if (HasPort(m.NotDestinationPorts, r.DestinationPort)) return MatchField.NotDestinationPorts;
        if (m.ServiceAccounts.Count > 0 && !AnyAccount(m.ServiceAccounts, r)) return MatchField.ServiceAccounts;
        if (AnyAccount(m.NotServiceAccounts, r)) return MatchField.NotServiceAccounts;
        if (m.Principals.Count > 0 && !AnyString(m.Principals, r.Principal)) return MatchField.Principals;
        if (AnyString(m.NotPrincipals, r.Principal)) return MatchField.NotPrincipals;
        if (m.Namespaces.Count > 0 && !AnyString(m.Namespaces, r.SourceNamespace)) return MatchField.Namespaces;
        if (AnyString(m.NotNamespaces, r.SourceNamespace)) return MatchField.NotNamespaces;
        return MatchField.None;
    }

    private static CidrRange[] Compile(ValueList<IpBlock> blocks)
    {
        if (blocks.Count == 0) return [];
        var result = new CidrRange[blocks.Count];
        for (var i = 0; i < result.Length; i++) result[i] = CidrRange.From(blocks[i]);
        return result;
    }

    private static bool AnyContains(CidrRange[] ranges, IpBits address)
    {
        foreach (var range in ranges)
            if (range.Contains(address)) return true;
        return false;
    }

    private static bool HasPort(ValueList<int> ports, int port)
    {
        foreach (var p in ports)
            if (p == port) return true;
        return false;
    }

    /// <summary>StringMatch.Matches(null) is false for every kind: plaintext never matches.</summary>
    private static bool AnyString(ValueList<StringMatch> patterns, string? value)
    {
        if (value is null) return false;
        foreach (var pattern in patterns)
            if (pattern.Matches(value)) return true;
        return false;
    }

    private static bool AnyAccount(ValueList<ServiceAccountMatch> accounts, in AuthorizationRequest r)
    {
        if (r.Source is not { } id) return false;
        foreach (var account in accounts)
            if (account.Namespace == id.Namespace && account.ServiceAccount == id.ServiceAccount) return true;
        return false;
    }
}
