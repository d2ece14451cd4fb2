using Mesh.Node.State;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Node.Authz;

/// <summary>
/// L4 authorization at the destination ztunnel, node-wide: every inbound connection (15008 HBONE, 15006 plaintext) is
/// tracked, checked against the current policies when it arrives, and re-checked whenever the state changes
/// (<see cref="PolicyReevaluator"/>). Dry-run policies are evaluated and logged, never enforced.
/// </summary>
public sealed class InboundEnforcement : IDisposable
{
    private readonly ILogger _log;

    public InboundEnforcement(NodeViewStore store, string rootNamespace, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(loggers);
        _log = loggers.CreateLogger("Mesh.Node.Authz");
        Authorizer = new InboundAuthorizer(store, rootNamespace);
        Reevaluator = new PolicyReevaluator(store, Authorizer, Connections, _log);
    }

    public InboundAuthorizer Authorizer { get; }
    public InboundConnections Connections { get; } = new();
    public PolicyReevaluator Reevaluator { get; }

    /// <summary>
    /// Tracks the connection, then checks it (in that order, so a state change in between is re-checked). Allowed:
    /// the tracked connection, to dispose when it ends. Denied: null; the denial is logged with the policy and rule.
    /// </summary>
    public InboundConnection? Admit(string pod, in AuthorizationRequest request, Workload destination, out AuthorizationDecision decision)
    {
        var connection = Connections.Track(pod, request, destination);
        var snapshot = Authorizer.Current;
        destination = snapshot.Refresh(destination);
        connection.Destination = destination;
        decision = snapshot.Evaluate(request, destination);
        if (DecisionLog.DryRunChange(decision) is { } shadow)
        {
            connection.DryRunReported = !shadow.IsAllowed;
            _log.LogInformation("dry-run: would {Verdict} pod={Pod} src={Src} src.identity={Identity} dst={Dst}: {Decision} policy={Policy} rule={Rule}",
                DecisionLog.Verb(shadow), pod, request.SourceIp, DecisionLog.Source(request), DecisionLog.Destination(request),
                shadow.Describe(), DecisionLog.PolicyOf(shadow), DecisionLog.RuleOf(shadow));
        }
        if (decision.IsAllowed) return connection;

        connection.Dispose();
        _log.LogInformation("denied inbound connection pod={Pod} src={Src} src.identity={Identity} dst={Dst}: {Decision} policy={Policy} rule={Rule}",
            pod, request.SourceIp, DecisionLog.Source(request), DecisionLog.Destination(request),
            decision.Enforced.Describe(), DecisionLog.PolicyOf(decision.Enforced), DecisionLog.RuleOf(decision.Enforced));
        return null;
    }

    public void Dispose() => Reevaluator.Dispose();
}
