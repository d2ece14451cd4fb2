using System.Diagnostics.CodeAnalysis;

namespace Mesh.Protocol.Identity;

/// <summary>
/// A workload identity in Istio's shape: <c>spiffe://&lt;trust-domain&gt;/ns/&lt;namespace&gt;/sa/&lt;service-account&gt;</c>.
/// Parsing follows the SPIFFE-ID specification strictly (lowercase scheme and trust domain, no port, userinfo,
/// query, fragment, percent-encoding, empty/dot segments or trailing slash) and then requires Istio's path.
/// </summary>
public sealed record SpiffeId
{
    public const string Scheme = "spiffe://";
    public const int MaxLength = 2048;
    public const int MaxTrustDomainLength = 255;

    public SpiffeId(string trustDomain, string @namespace, string serviceAccount)
    {
        if (ValidateTrustDomain(trustDomain) is { } tdError) throw new ArgumentException(tdError, nameof(trustDomain));
        if (ValidateSegment(@namespace, "namespace") is { } nsError) throw new ArgumentException(nsError, nameof(@namespace));
        if (ValidateSegment(serviceAccount, "service account") is { } saError) throw new ArgumentException(saError, nameof(serviceAccount));
        // The spec's interoperability limit applies to ids we generate too, not only to ones we parse.
        var length = Scheme.Length + trustDomain.Length + "/ns/".Length + @namespace.Length + "/sa/".Length + serviceAccount.Length;
        if (length > MaxLength) throw new ArgumentException($"SPIFFE id would be longer than {MaxLength} bytes", nameof(serviceAccount));
        TrustDomain = trustDomain;
        Namespace = @namespace;
        ServiceAccount = serviceAccount;
    }

    public string TrustDomain { get; }
    public string Namespace { get; }
    public string ServiceAccount { get; }

    public override string ToString() => $"{Scheme}{TrustDomain}/ns/{Namespace}/sa/{ServiceAccount}";

    /// <summary>Parses an id or throws <see cref="FormatException"/> whose message names what was wrong.</summary>
    public static SpiffeId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse(string? value, [NotNullWhen(true)] out SpiffeId? id, [NotNullWhen(false)] out string? error)
    {
        id = null;
        if (string.IsNullOrEmpty(value)) { error = "SPIFFE id is empty"; return false; }
        if (value.Length > MaxLength) { error = $"SPIFFE id is longer than {MaxLength} bytes"; return false; }
        if (!value.StartsWith(Scheme, StringComparison.Ordinal))
        {
            error = value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
                ? "SPIFFE id scheme must be lowercase 'spiffe'"
                : $"SPIFFE id '{value}' must start with '{Scheme}'";
            return false;
        }

        var rest = value[Scheme.Length..];
        var slash = rest.IndexOf('/');
        var trustDomain = slash < 0 ? rest : rest[..slash];
        if (ValidateTrustDomain(trustDomain) is { } tdError) { error = tdError; return false; }
        if (slash < 0) { error = $"SPIFFE id '{value}' has no path; expected /ns/<namespace>/sa/<service-account>"; return false; }

        var path = rest[slash..];
        var segments = path[1..].Split('/');
        foreach (var segment in segments)
        {
            if (ValidateSegment(segment, "path segment") is { } segError) { error = $"SPIFFE id '{value}': {segError}"; return false; }
        }

        if (segments.Length != 4 || segments[0] != "ns" || segments[2] != "sa")
        {
            error = $"SPIFFE id '{value}' path must be /ns/<namespace>/sa/<service-account>";
            return false;
        }

        id = new SpiffeId(trustDomain, segments[1], segments[3]);
        error = null;
        return true;
    }

    private static string? ValidateTrustDomain(string? trustDomain)
    {
        if (string.IsNullOrEmpty(trustDomain)) return "trust domain is empty";
        if (trustDomain.Length > MaxTrustDomainLength) return $"trust domain is longer than {MaxTrustDomainLength} characters";
        // URI delimiters first, so "user:pw@host" is reported as userinfo (not a port) and "Host?q" as a query
        // (not an uppercase letter): the message should name the structural problem. "[::1]" is an IP literal, not a port.
        if (trustDomain.Contains('@')) return $"trust domain '{trustDomain}' must not contain userinfo";
        if (trustDomain.IndexOfAny(['?', '#']) >= 0) return $"trust domain '{trustDomain}' must not be followed by a query or fragment";
        if (trustDomain.Contains(':') && !trustDomain.StartsWith('[')) return $"trust domain '{trustDomain}' must not contain a port";
        if (trustDomain.Contains('%')) return $"trust domain '{trustDomain}' must not be percent-encoded";
        foreach (var c in trustDomain)
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-' or '_') continue;
            return c is >= 'A' and <= 'Z'
                ? $"trust domain '{trustDomain}' must be lowercase"
                : $"trust domain '{trustDomain}' contains invalid character '{c}'";
        }
        return null;
    }

    private static string? ValidateSegment(string? segment, string what)
    {
        if (string.IsNullOrEmpty(segment)) return $"{what} is empty (empty segments and trailing slashes are not allowed)";
        if (segment is "." or "..") return $"{what} '{segment}' is a dot segment ('.' and '..' are not allowed)";
        foreach (var c in segment)
        {
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '.' or '-' or '_') continue;
            return c switch
            {
                '%' => $"{what} '{segment}' must not be percent-encoded",
                '?' or '#' => $"{what} '{segment}' must not contain a query or fragment",
                _ => $"{what} '{segment}' contains invalid character '{c}'",
            };
        }
        return null;
    }
}
