using Mesh.Control.Config.Crds;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>One AuthorizationPolicy rule → one L4 <see cref="Rule"/> (or none); see <see cref="AuthorizationConverter"/>.</summary>
internal sealed class RuleConverter(string policyNamespace, PolicyAction action, List<string> problems, SortedSet<string> httpFields)
{
    /// <summary>Condition keys the ztunnel can evaluate. remote.ip equals source.ip at L4 (no proxy headers to
    /// derive another client address from); Istio itself treats remote.ip/remoteIpBlocks as HTTP-only.</summary>
    internal static readonly string[] L4ConditionKeys =
        ["source.ip", "remote.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"];

    private readonly SortedSet<string> _ruleHttpFields = new(StringComparer.Ordinal);

    public Rule? Convert(AuthorizationRule rule)
    {
        var clauses = new List<List<MatchBuilder>>();
        if (rule.To is { Count: > 0 }) clauses.Add(rule.To.Select(t => Operation(t.Operation)).ToList());
        if (rule.From is { Count: > 0 }) clauses.Add(rule.From.Select(f => Source(f.Source)).ToList());
        foreach (var condition in rule.When ?? []) clauses.Add([Condition(condition)]);

        httpFields.UnionWith(_ruleHttpFields);
        var lossy = _ruleHttpFields.Count > 0 || problems.Count > 0;
        if (action == PolicyAction.Allow)
            return lossy ? null : ToRule(clauses);

        var anyL4 = clauses.Any(c => c.Any(m => m.HasL4));
        if (_ruleHttpFields.Count > 0 && !anyL4) return null;
        // An alternative that lost all its constraints matches everything, so its clause no longer restricts.
        return ToRule(clauses.Where(c => !c.Any(m => m.Widened && m.IsEmpty)));
    }

    private static Rule ToRule(IEnumerable<List<MatchBuilder>> clauses) =>
        new(clauses.Select(c => new Clause(c.Select(m => m.Build()).ToValueList())).ToValueList());

    private MatchBuilder NewMatch() => new(policyNamespace, problems, _ruleHttpFields);

    private MatchBuilder Operation(Operation? op)
    {
        var m = NewMatch();
        if (op is null) { problems.Add("empty to.operation"); return Widen(m); }
        m.Http("hosts", op.Hosts);
        m.Http("notHosts", op.NotHosts);
        m.Http("methods", op.Methods);
        m.Http("notMethods", op.NotMethods);
        m.Http("paths", op.Paths);
        m.Http("notPaths", op.NotPaths);
        m.AddPorts("ports", op.Ports, m.DestinationPorts);
        m.AddPorts("notPorts", op.NotPorts, m.NotDestinationPorts);
        if (m.IsEmpty && !m.Widened) { problems.Add("empty to.operation"); Widen(m); }
        return m;
    }

    private MatchBuilder Source(Source? source)
    {
        var m = NewMatch();
        if (source is null) { problems.Add("empty from.source"); return Widen(m); }
        m.Http("requestPrincipals", source.RequestPrincipals);
        m.Http("notRequestPrincipals", source.NotRequestPrincipals);
        m.Add("principals", source.Principals, m.Principals, PolicyValues.Principal);
        m.Add("notPrincipals", source.NotPrincipals, m.NotPrincipals, PolicyValues.Principal);
        m.Add("namespaces", source.Namespaces, m.Namespaces, PolicyValues.Match);
        m.Add("notNamespaces", source.NotNamespaces, m.NotNamespaces, PolicyValues.Match);
        m.Add("serviceAccounts", source.ServiceAccounts, m.ServiceAccounts, m.ServiceAccount);
        m.Add("notServiceAccounts", source.NotServiceAccounts, m.NotServiceAccounts, m.ServiceAccount);
        m.Add("ipBlocks", source.IpBlocks, m.SourceIps, PolicyValues.Ip);
        m.Add("notIpBlocks", source.NotIpBlocks, m.NotSourceIps, PolicyValues.Ip);
        m.Add("remoteIpBlocks", source.RemoteIpBlocks, m.SourceIps, PolicyValues.Ip);
        m.Add("notRemoteIpBlocks", source.NotRemoteIpBlocks, m.NotSourceIps, PolicyValues.Ip);
        if (m.IsEmpty && !m.Widened) { problems.Add("empty from.source"); Widen(m); }
        return m;
    }

    private MatchBuilder Condition(Condition condition)
    {
        var m = NewMatch();
        var key = condition.Key ?? "";
        if (!L4ConditionKeys.Contains(key))
        {
            m.Http($"when {key}", ["*"]);
            return m;
        }
        if (condition.Values is not { Count: > 0 } && condition.NotValues is not { Count: > 0 })
        {
            problems.Add($"condition {key} has neither values nor notValues");
            return Widen(m);
        }
        var (values, notValues) = (condition.Values, condition.NotValues);
        switch (key)
        {
            case "source.ip" or "remote.ip":
                m.Add(key, values, m.SourceIps, PolicyValues.Ip);
                m.Add(key, notValues, m.NotSourceIps, PolicyValues.Ip);
                break;
            case "source.namespace":
                m.Add(key, values, m.Namespaces, PolicyValues.Match);
                m.Add(key, notValues, m.NotNamespaces, PolicyValues.Match);
                break;
            case "source.principal":
                m.Add(key, values, m.Principals, PolicyValues.Principal);
                m.Add(key, notValues, m.NotPrincipals, PolicyValues.Principal);
                break;
            case "destination.ip":
                m.Add(key, values, m.DestinationIps, PolicyValues.Ip);
                m.Add(key, notValues, m.NotDestinationIps, PolicyValues.Ip);
                break;
            case "destination.port":
                m.AddPorts(key, values, m.DestinationPorts);
                m.AddPorts(key, notValues, m.NotDestinationPorts);
                break;
        }
        return m;
    }

    private static MatchBuilder Widen(MatchBuilder m)
    {
        m.MarkWidened();
        return m;
    }
}
