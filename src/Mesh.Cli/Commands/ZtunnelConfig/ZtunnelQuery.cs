using Mesh.Cli.Client;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>What a view needs from each ztunnel.</summary>
[Flags]
public enum ZtunnelData
{
    State = 1,
    Certificates = 2,
    Connections = 4,
}

/// <summary>What one ztunnel answered; the lists a view did not ask for are empty.</summary>
public sealed record ZtunnelAnswer(
    ZtunnelTarget Target, NodeStateView? State, IReadOnlyList<CertificateView> Certificates, IReadOnlyList<ConnectionView> Connections)
{
    /// <summary>The NODE column: the local mesh node that answered; null when one endpoint was asked directly.</summary>
    public string? Node => Target.Node;

    /// <summary>The node this ztunnel serves, if known (the local layout's name, else what its state says).</summary>
    public string? QueriedNode => Target.Node ?? State?.Node;

    public NodeStateView RequiredState => State ?? throw new InvalidOperationException("the view did not fetch the node state");
}

/// <summary>
/// Asks the ztunnels of a view. One named endpoint: its errors end the command as before, except a 404, which is
/// explained (<see cref="ZtunnelEndpointHint"/>). Several local nodes: asked at once; one that fails is reported on
/// stderr and left out, and the command fails only when none answered.
/// </summary>
public static class ZtunnelQuery
{
    public static async Task<IReadOnlyList<ZtunnelAnswer>> AskAsync(Invocation inv, IReadOnlyList<ZtunnelTarget> targets,
        ZtunnelData data, string verb, Func<LocalMeshMembers?> findLocalMesh, CancellationToken ct)
    {
        if (targets is [{ Node: null } single])
        {
            try
            {
                var answer = await FetchAsync(inv.Client, single, data, ct);
                WarnIfUnsynced(inv, answer);
                return [answer];
            }
            catch (AdminHttpException e) when (e.StatusCode == 404)
            {
                throw new NotAZtunnelException(await ZtunnelEndpointHint.ExplainAsync(inv.Client, e, verb, findLocalMesh(), ct));
            }
        }

        var attempts = await Task.WhenAll(targets.Select(async target =>
        {
            using var client = inv.Connect(target.Endpoint);
            try { return (Target: target, Answer: await FetchAsync(client, target, data, ct), Error: (AdminClientException?)null); }
            catch (AdminClientException e) { return (Target: target, Answer: (ZtunnelAnswer?)null, Error: e); }
        }));

        var answers = attempts.Where(a => a.Answer is not null).Select(a => a.Answer!).ToList();
        var failed = attempts.Where(a => a.Error is not null).ToList();
        foreach (var (target, _, error) in failed)
            inv.Error.WriteLine(answers.Count > 0
                ? $"meshctl: warning: {target} is not shown: {error!.Message}"
                : $"meshctl: {target}: {error!.Message}");
        if (answers.Count == 0)
            throw new NoZtunnelAnsweredException(targets, failed.All(f => f.Error is EndpointUnreachableException));
        foreach (var answer in answers) WarnIfUnsynced(inv, answer);
        return answers;
    }

    private static async Task<ZtunnelAnswer> FetchAsync(AdminClient client, ZtunnelTarget target, ZtunnelData data, CancellationToken ct)
    {
        var state = data.HasFlag(ZtunnelData.State) ? await client.GetAsync<NodeStateView>(AdminRoutes.NodeState, ct) : null;
        var certificates = data.HasFlag(ZtunnelData.Certificates)
            ? await client.GetAsync<List<CertificateView>>(AdminRoutes.Certificates, ct) : [];
        var connections = data.HasFlag(ZtunnelData.Connections)
            ? await client.GetAsync<List<ConnectionView>>(AdminRoutes.Connections, ct) : [];
        return new ZtunnelAnswer(target, state, certificates, connections);
    }

    private static void WarnIfUnsynced(Invocation inv, ZtunnelAnswer answer)
    {
        if (answer.State is { Synced: false } state)
            inv.Error.WriteLine($"meshctl: warning: node {state.Node} has not received its state yet; the view may be incomplete");
    }
}

/// <summary>The endpoint answered, but it is not a ztunnel; the message says which endpoints serve the view.</summary>
public sealed class NotAZtunnelException(string message) : AdminClientException(message)
{
    public override int ExitCode => ExitCodes.Failure;
}

/// <summary>No node of the local mesh answered: exit 2 when none could be reached at all (as for one endpoint), else 1.</summary>
public sealed class NoZtunnelAnsweredException(IReadOnlyList<ZtunnelTarget> targets, bool allUnreachable)
    : AdminClientException($"no node of the local mesh answered ({string.Join(", ", targets.Select(t => t.Node))})")
{
    public override int ExitCode => allUnreachable ? ExitCodes.Unreachable : ExitCodes.Failure;
}
