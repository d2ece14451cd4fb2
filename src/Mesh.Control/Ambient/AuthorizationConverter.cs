using Mesh.Control.Config.Crds;
using Mesh.Protocol.Model;

namespace Mesh.Control.Ambient;

/// <summary>An L4 policy plus the selector it was written with (to attach WORKLOAD_SELECTOR policies to pods).</summary>
internal sealed record ConvertedPolicy(Authorization Authorization, IDictionary<string, string>? Selector);

/// <summary>
/// AuthorizationPolicy → ztunnel Authorization, following Istio's convertAuthorizationPolicy: per rule, the
/// <c>to</c> list is one clause (a match per operation), the <c>from</c> list one clause (a match per source),
/// and every <c>when</c> condition its own clause.
/// What the ztunnel cannot enforce is left out so that the result is never more permissive than written:
/// an ALLOW rule with HTTP-only or invalid content is dropped; a DENY rule loses those parts (its match
/// widens), a clause whose alternative became unconstrained is dropped, and a DENY rule with nothing but
/// HTTP content is dropped (Istio's ztunnel never matches it either). Istio rejects invalid values at
/// admission; we see manifests unvalidated, so invalid values are handled like HTTP-only ones and warned about.
/// Policies with targetRef(s) bind to waypoints (L7) and are not the ztunnel's; they are skipped silently.
/// </summary>
internal sealed class AuthorizationConverter(AmbientOptions options, Warnings warnings)
{
    public ConvertedPolicy? Convert(AuthorizationPolicy policy)
    {
        var ns = policy.Metadata.NamespaceProperty;
        var key = $"{ns}/{policy.Metadata.Name}";
        var spec = policy.Spec ?? new AuthorizationPolicySpec();
        if (spec.TargetRef is not null || spec.TargetRefs is { Count: > 0 }) return null;

        PolicyAction action;
        switch (string.IsNullOrEmpty(spec.Action) ? "ALLOW" : spec.Action)
        {
            case "ALLOW": action = PolicyAction.Allow; break;
            case "DENY": action = PolicyAction.Deny; break;
            case "AUDIT" or "CUSTOM":
                warnings.Add($"AuthorizationPolicy {key}: action {spec.Action} is not enforced by the ztunnel; skipped");
                return null;
            default:
                warnings.Add($"AuthorizationPolicy {key}: unknown action '{spec.Action}'; skipped");
                return null;
        }

        var scope = spec.Selector is not null ? PolicyScope.WorkloadSelector
            : ns == options.RootNamespace ? PolicyScope.Global
            : PolicyScope.Namespace;

        var rules = new List<Rule>();
        var httpFields = new SortedSet<string>(StringComparer.Ordinal);
        var rulesIndex = 0;
        foreach (var rule in spec.Rules ?? [])
        {
            rulesIndex++;
            var problems = new List<string>();
            if (new RuleConverter(ns, action, problems, httpFields).Convert(rule) is { } converted) rules.Add(converted);
            if (problems.Count > 0)
                warnings.Add($"AuthorizationPolicy {key} rule {rulesIndex}: {string.Join("; ", problems)}; " +
                             (action == PolicyAction.Allow ? "ALLOW rule dropped" : "those fields are ignored, so the DENY rule matches more traffic"));
        }
        if (httpFields.Count > 0)
            warnings.Add($"AuthorizationPolicy {key} partially applied: the ztunnel enforces L4 only and ignored HTTP fields ({string.Join(", ", httpFields)}); " +
                         (action == PolicyAction.Allow
                             ? "ALLOW rules using them were dropped (stricter than written)"
                             : "DENY rules keep only their L4 parts (stricter than written) and rules with only HTTP fields were dropped"));

        var dryRun = AmbientLabels.Get(policy.Metadata.Annotations, AmbientLabels.DryRun) is { } flag
                     && (flag.Equals("true", StringComparison.OrdinalIgnoreCase) || flag == "1");
        var authorization = new Authorization(policy.Metadata.Name, ns, scope, action, rules.ToValueList(), dryRun);
        return new ConvertedPolicy(authorization, spec.Selector?.MatchLabels ?? (spec.Selector is null ? null : new Dictionary<string, string>()));
    }
}
