using Mesh.Protocol.Admin;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Commands.Authz;

/// <summary>Resolves the connection against a mesh state and explains the decision for every destination workload.</summary>
internal static class AuthzCheck
{
    public static AuthzCheckView Run(ConfigStateView state, string stateLabel, string from, string to, int? port)
    {
        var resolver = new ConnectionResolver(state);
        var source = resolver.Source(from);
        var targets = resolver.Targets(to, port);
        var index = new PolicyIndex(state.Policies, state.RootNamespace);
        var results = targets.Select(t => Result(state, index, source, t)).ToList();
        return new AuthzCheckView(source.Label, stateLabel, source.Note is null ? [] : [source.Note], results);
    }

    private static AuthzResultView Result(ConfigStateView state, PolicyIndex index, CheckSource source, CheckTarget target)
    {
        var request = new AuthorizationRequest(source.Identity, source.Ip, target.Ip, target.Port);
        var scope = index.For(target.Workload);
        var explanation = AuthorizationExplainer.Explain(request, scope);
        var decision = explanation.Decision;
        var keys = scope.Policies.Select(p => p.Key).ToList();
        var warnings = state.Warnings.Where(w => keys.Any(k => w.Contains(k + " ", StringComparison.Ordinal) || w.Contains(k + ":", StringComparison.Ordinal))).ToList();
        return new AuthzResultView(
            $"{target.Workload.Namespace}/{target.Workload.Name}",
            AuthorizationRequestText.Endpoint(target.Ip, target.Port),
            target.Via,
            AuthzOutcomeView.Word(decision.Verdict),
            decision.Reason,
            decision.Enforced.Describe(),
            decision.PolicyKey,
            decision.RuleIndex >= 0 ? decision.RuleIndex : null,
            decision.DryRun is { } shadow ? AuthzOutcomeView.From(shadow) : null,
            decision.DryRunAffected,
            explanation.Policies,
            explanation.MissingPolicies,
            warnings,
            Notes(target.Workload, explanation.MissingPolicies));
    }

    private static List<string> Notes(Workload destination, IReadOnlyList<string> missing)
    {
        var notes = new List<string>();
        if (destination.TunnelProtocol != TunnelProtocol.Hbone)
            notes.Add("the destination pod is not in the ambient mesh: no ztunnel enforces L4 policy for it");
        if (destination.Waypoint is { } waypoint)
            notes.Add($"the destination uses waypoint {waypoint.Namespace}/{waypoint.Name}: mesh traffic reaches it through the waypoint " +
                      "(L7 policy applies there) and its ztunnel then sees the waypoint's identity");
        notes.AddRange(missing.Select(k => $"policy {k} is listed by the workload but not in the state; skipped"));
        return notes;
    }
}

/// <summary>ip:port with IPv6 in brackets.</summary>
internal static class AuthorizationRequestText
{
    public static string Endpoint(System.Net.IPAddress ip, int port) =>
        ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]:{port}" : $"{ip}:{port}";
}
