namespace Mesh.Protocol.Authz;

/// <summary>
/// The field of a <see cref="Model.Match"/> that decided it did not match, in the order the ztunnel checks them
/// (destination IP, source IP, destination port, service account, principal, namespace; positive form first).
/// </summary>
public enum MatchField
{
    /// <summary>Nothing failed: the alternative matched.</summary>
    None = 0,
    /// <summary>An alternative with no constraint at all never matches (ztunnel skips it).</summary>
    Empty,
    DestinationIps,
    NotDestinationIps,
    SourceIps,
    NotSourceIps,
    DestinationPorts,
    NotDestinationPorts,
    ServiceAccounts,
    NotServiceAccounts,
    Principals,
    NotPrincipals,
    Namespaces,
    NotNamespaces,
}

public static class MatchFields
{
    /// <summary>The camelCase name used in the state's JSON (<c>meshctl zc policies -o json</c>).</summary>
    public static string Name(this MatchField field) => field switch
    {
        MatchField.None => "none",
        MatchField.Empty => "empty",
        _ => char.ToLowerInvariant(field.ToString()[0]) + field.ToString()[1..],
    };
}
