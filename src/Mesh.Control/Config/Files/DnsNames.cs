using System.Text.RegularExpressions;

namespace Mesh.Control.Config.Files;

/// <summary>Kubernetes' name rules (apimachinery validation): which one applies depends on the kind.</summary>
internal static partial class DnsNames
{
    /// <summary>RFC 1123 label: Namespace names, namespace fields, container names.</summary>
    public static string? Label(string value) =>
        value.Length > 63 ? "must be no more than 63 characters"
        : Dns1123Label().IsMatch(value) ? null
        : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

    /// <summary>RFC 1035 label: Service names (they become DNS hostnames and env var prefixes).</summary>
    public static string? Rfc1035Label(string value) =>
        value.Length > 63 ? "must be no more than 63 characters"
        : Dns1035Label().IsMatch(value) ? null
        : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

    /// <summary>RFC 1123 subdomain: most other object names.</summary>
    public static string? Subdomain(string value) =>
        value.Length > 253 ? "must be no more than 253 characters"
        : Dns1123Subdomain().IsMatch(value) ? null
        : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();
}
