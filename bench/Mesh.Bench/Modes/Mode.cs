namespace Mesh.Bench.Modes;

/// <summary>The four measurements (issue #5's benchmark); <c>--scenarios</c> selects them by <see cref="Scenarios.ScenarioNames"/>.</summary>
[Flags]
internal enum Measure
{
    None = 0,
    Bulk = 1,
    Latency = 2,
    ConnRate = 4,
    Idle = 8,
    All = Bulk | Latency | ConnRate | Idle,
}

/// <summary>What a mode gets to start its hops: where the sink listens and the shared certificates.</summary>
internal sealed record ModeContext(int SinkPort, Pki Pki, HopGc Gc);

/// <summary>
/// One way to carry a connection from the load generator to the sink (a row of the table). <paramref name="Key"/> is
/// what <c>--modes</c> takes; <paramref name="Supports"/> says which measurements the row takes part in.
/// </summary>
internal sealed record Mode(string Key, string Name, Measure Supports, Func<ModeContext, Task<RunningMode>> StartAsync)
{
    /// <summary>Marks the reference rows ratios are taken against ("the better of stunnel/haproxy").</summary>
    public bool IsReferencePair { get; init; }

    /// <summary>Why the mode cannot run here (e.g. a tool is not installed), or null.</summary>
    public Func<string?> Unavailable { get; init; } = () => null;

    /// <summary>For a pair of our <c>--serve</c> hops: their names (client side, server side) and the build they run from.</summary>
    public (string Client, string Server, HopBuild Build)? OurHops { get; init; }
}

/// <summary>A served hop inside a <c>mesh-bench --serve</c> child: bind, then run until cancelled.</summary>
/// <returns>Completes once the hop listens; its result is the task that runs the hop.</returns>
internal delegate Task<Task> ServeHop(ServeArgs args, CancellationToken ct);

/// <summary>
/// The arguments of <c>mesh-bench --serve MODE LISTEN NEXT FINAL PKI_DIR</c>: listen on <see cref="Listen"/>, carry to
/// <see cref="Next"/> (the next hop, or the sink); <see cref="Final"/> is the sink (what an HBONE client names as the
/// <c>:authority</c>). Identities: the client-side hop is "a", the server-side hop "b" (see <see cref="Pki"/>).
/// </summary>
internal sealed record ServeArgs(string Mode, int Listen, int Next, int Final, string PkiDir)
{
    public Pki Pki => new(PkiDir);
}
