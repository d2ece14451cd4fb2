namespace Mesh.Protocol.Model;

/// <summary>Which workloads a policy applies to (Istio security.proto Scope).</summary>
public enum PolicyScope { Global = 0, Namespace = 1, WorkloadSelector = 2 }

/// <summary>ALLOW or DENY; AUDIT and CUSTOM never reach the ztunnel.</summary>
public enum PolicyAction { Allow = 0, Deny = 1 }

public enum StringMatchKind { Exact = 0, Prefix = 1, Suffix = 2, Presence = 3 }

/// <summary>Istio's string match: exact "abc", prefix "abc*", suffix "*abc", presence "*".</summary>
public sealed record StringMatch(StringMatchKind Kind, string Value)
{
    public static StringMatch Parse(string pattern) => pattern switch
    {
        "*" => new(StringMatchKind.Presence, ""),
        _ when pattern.Length > 1 && pattern.EndsWith('*') => new(StringMatchKind.Prefix, pattern[..^1]),
        _ when pattern.Length > 1 && pattern.StartsWith('*') => new(StringMatchKind.Suffix, pattern[1..]),
        _ => new(StringMatchKind.Exact, pattern),
    };

    public bool Matches(string? value) => Kind switch
    {
        StringMatchKind.Presence => !string.IsNullOrEmpty(value),
        StringMatchKind.Prefix => value is not null && value.StartsWith(Value, StringComparison.Ordinal),
        StringMatchKind.Suffix => value is not null && value.EndsWith(Value, StringComparison.Ordinal),
        _ => string.Equals(value, Value, StringComparison.Ordinal),
    };

    public override string ToString() => Kind switch
    {
        StringMatchKind.Presence => "*",
        StringMatchKind.Prefix => Value + "*",
        StringMatchKind.Suffix => "*" + Value,
        _ => Value,
    };
}

/// <summary>An address range: <c>Address</c>/<c>Length</c> (a single IP has the full length).</summary>
public sealed record IpBlock(string Address, int Length)
{
    public override string ToString() => $"{Address}/{Length}";
}

/// <summary>A service account in a namespace (Istio's ServiceAccountMatch).</summary>
public sealed record ServiceAccountMatch(string Namespace, string ServiceAccount);

/// <summary>
/// One alternative within a clause. Every non-empty field must match (AND); values within a field OR.
/// The <c>Not*</c> forms must not match.
/// </summary>
public sealed record Match(
    ValueList<StringMatch> Namespaces,
    ValueList<StringMatch> NotNamespaces,
    ValueList<StringMatch> Principals,
    ValueList<StringMatch> NotPrincipals,
    ValueList<IpBlock> SourceIps,
    ValueList<IpBlock> NotSourceIps,
    ValueList<IpBlock> DestinationIps,
    ValueList<IpBlock> NotDestinationIps,
    ValueList<int> DestinationPorts,
    ValueList<int> NotDestinationPorts,
    ValueList<ServiceAccountMatch> ServiceAccounts,
    ValueList<ServiceAccountMatch> NotServiceAccounts)
{
    public static readonly Match Empty = new(
        ValueList<StringMatch>.Empty, ValueList<StringMatch>.Empty, ValueList<StringMatch>.Empty, ValueList<StringMatch>.Empty,
        ValueList<IpBlock>.Empty, ValueList<IpBlock>.Empty, ValueList<IpBlock>.Empty, ValueList<IpBlock>.Empty,
        ValueList<int>.Empty, ValueList<int>.Empty, ValueList<ServiceAccountMatch>.Empty, ValueList<ServiceAccountMatch>.Empty);
}

/// <summary>A clause holds alternatives (OR); all clauses of a rule must hold (AND).</summary>
public sealed record Clause(ValueList<Match> Matches);

/// <summary>A rule matches when every clause matches; rules of a policy OR.</summary>
public sealed record Rule(ValueList<Clause> Clauses);

/// <summary>
/// An L4 authorization policy as the ztunnel enforces it. Keyed "namespace/name".
/// <c>DryRun</c> policies are evaluated and logged but not enforced (istio.io/dry-run).
/// </summary>
public sealed record Authorization(
    string Name,
    string Namespace,
    PolicyScope Scope,
    PolicyAction Action,
    ValueList<Rule> Rules,
    bool DryRun = false)
{
    public string Key => $"{Namespace}/{Name}";
}
