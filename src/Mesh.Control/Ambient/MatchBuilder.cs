using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>
/// Accumulates one <see cref="Match"/> while remembering what had to be left out: HTTP-only fields and fields
/// with invalid values. Leaving a field out only ever widens a match.
/// </summary>
internal sealed class MatchBuilder(string policyNamespace, List<string> problems, SortedSet<string> httpFields)
{
    public readonly List<StringMatch> Namespaces = [], NotNamespaces = [], Principals = [], NotPrincipals = [];
    public readonly List<IpBlock> SourceIps = [], NotSourceIps = [], DestinationIps = [], NotDestinationIps = [];
    public readonly List<int> DestinationPorts = [], NotDestinationPorts = [];
    public readonly List<ServiceAccountMatch> ServiceAccounts = [], NotServiceAccounts = [];

    /// <summary>Some constraint was dropped (HTTP-only or invalid), so this match is wider than written.</summary>
    public bool Widened { get; private set; }

    public void MarkWidened() => Widened = true;

    /// <summary>At least one L4 field was written (valid or not).</summary>
    public bool HasL4 { get; private set; }

    public bool IsEmpty =>
        Namespaces.Count + NotNamespaces.Count + Principals.Count + NotPrincipals.Count + SourceIps.Count + NotSourceIps.Count
        + DestinationIps.Count + NotDestinationIps.Count + DestinationPorts.Count + NotDestinationPorts.Count
        + ServiceAccounts.Count + NotServiceAccounts.Count == 0;

    public void Http(string field, IList<string>? values)
    {
        if (values is not { Count: > 0 }) return;
        httpFields.Add(field);
        Widened = true;
    }

    /// <summary>Adds every value of an L4 field, or none of them if one is invalid (the field is then ignored).</summary>
    public void Add<T>(string field, IList<string>? values, List<T> target, Func<string, T?> parse) where T : class =>
        AddParsed(field, values, target, v => parse(v) is { } item ? (true, item) : (false, default!));

    public void AddPorts(string field, IList<string>? values, List<int> target) =>
        AddParsed(field, values, target, v => PolicyValues.Port(v) is { } port ? (true, port) : (false, 0));

    private void AddParsed<T>(string field, IList<string>? values, List<T> target, Func<string, (bool Ok, T Value)> parse)
    {
        if (values is not { Count: > 0 }) return;
        HasL4 = true;
        var parsed = new List<T>();
        foreach (var value in values)
        {
            var (ok, item) = parse(value);
            if (!ok)
            {
                problems.Add($"invalid {field} value '{value}'");
                Widened = true;
                return;
            }
            parsed.Add(item);
        }
        target.AddRange(parsed);
    }

    public ServiceAccountMatch? ServiceAccount(string value) => PolicyValues.ServiceAccount(value, policyNamespace);

    public Match Build() => new(
        Namespaces.ToValueList(), NotNamespaces.ToValueList(), Principals.ToValueList(), NotPrincipals.ToValueList(),
        SourceIps.ToValueList(), NotSourceIps.ToValueList(), DestinationIps.ToValueList(), NotDestinationIps.ToValueList(),
        DestinationPorts.ToValueList(), NotDestinationPorts.ToValueList(), ServiceAccounts.ToValueList(), NotServiceAccounts.ToValueList());
}
