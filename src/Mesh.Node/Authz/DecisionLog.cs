using Mesh.Protocol.Authz;

namespace Mesh.Node.Authz;

/// <summary>How decisions are written in log lines: <c>policy=ns/name rule=N</c>, "-" when no policy decided.</summary>
internal static class DecisionLog
{
    public static string PolicyOf(in Outcome outcome) => outcome.Policy?.Key ?? "-";

    public static string RuleOf(in Outcome outcome) => outcome.RuleIndex >= 0 ? outcome.RuleIndex.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";

    public static string Source(in AuthorizationRequest request) => request.Principal ?? "plaintext";

    public static string Destination(in AuthorizationRequest request) =>
        new System.Net.IPEndPoint(request.DestinationIp, request.DestinationPort).ToString();

    /// <summary>What a dry-run would have done differently, or null when dry-run policies change nothing.</summary>
    public static Outcome? DryRunChange(in AuthorizationDecision decision) =>
        decision.DryRunAffected ? decision.DryRun : null;

    public static string Verb(in Outcome outcome) => outcome.IsAllowed ? "allow" : "deny";
}
