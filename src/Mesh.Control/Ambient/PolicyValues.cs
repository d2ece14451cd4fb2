using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>Parsing of AuthorizationPolicy values into the L4 model; each parser reports the values it rejects.</summary>
internal static class PolicyValues
{
    public static StringMatch Match(string pattern) => StringMatch.Parse(pattern);

    /// <summary>
    /// Policy principals are written without the scheme ("cluster.local/ns/a/sa/b"); ztunnel strips "spiffe://"
    /// from the peer before matching. Our peers' ids keep the scheme, so exact and prefix patterns get it
    /// prepended instead — the same result for every SPIFFE peer. Suffix and presence need no change.
    /// </summary>
    public static StringMatch Principal(string pattern)
    {
        var match = StringMatch.Parse(pattern);
        return match.Kind is StringMatchKind.Exact or StringMatchKind.Prefix
            ? match with { Value = Protocol.Identity.SpiffeId.Scheme + match.Value }
            : match;
    }

    /// <summary>"ns/sa", or "sa" in the policy's own namespace (Istio).</summary>
    public static ServiceAccountMatch? ServiceAccount(string value, string policyNamespace)
    {
        var parts = value.Split('/');
        return parts switch
        {
            [var sa] when sa.Length > 0 => new ServiceAccountMatch(policyNamespace, sa),
            [var ns, var sa] when ns.Length > 0 && sa.Length > 0 => new ServiceAccountMatch(ns, sa),
            _ => null,
        };
    }

    public static IpBlock? Ip(string value) =>
        Cidr.Parse(value) is var (address, length) ? new IpBlock(Cidr.Network(address, length).ToString(), length) : null;

    public static int? Port(string value) =>
        value.Length is > 0 and <= 5 && value.All(char.IsAsciiDigit) && int.Parse(value) is var port and >= 1 and <= 65535
            ? port : null;
}
