using System.CommandLine;
using System.Net;
using Mesh.Cli.Client;
using Mesh.Cli.Local;

namespace Mesh.Cli.Commands.ZtunnelConfig;

/// <summary>One ztunnel to ask: a node of the local mesh (<see cref="Node"/> set) or the endpoint the user named (null).</summary>
public sealed record ZtunnelTarget(string? Node, MeshEndpoint Endpoint)
{
    public override string ToString() => Node is null ? Endpoint.ToString() : $"{Node} ({Endpoint})";
}

/// <summary>A node member of a running local mesh and its command endpoint, as the supervisor's status lists it.</summary>
public sealed record LocalMember(string Name, string Role, MeshEndpoint Endpoint);

/// <summary>The members of the local mesh running from <see cref="StateDir"/> (read from its <c>status.json</c>).</summary>
public sealed record LocalMeshMembers(string StateDir, IReadOnlyList<LocalMember> Members)
{
    /// <summary>What a meshctl command line needs to find this mesh: "" for the default state dir, else " --state-dir DIR".</summary>
    public string StateDirArgument { get; init; } = "";

    public const string NodeRole = "node";

    public IReadOnlyList<LocalMember> Nodes => Members.Where(m => m.Role == NodeRole).ToList();

    /// <summary>"node-0 127.0.0.1:9111, node-1 127.0.0.1:9112".</summary>
    public string NodeList => string.Join(", ", Nodes.Select(n => $"{n.Name} {n.Endpoint}"));

    /// <summary>The member whose command endpoint <paramref name="endpoint"/> is (members bind loopback, so any loopback name matches).</summary>
    public LocalMember? MemberAt(MeshEndpoint endpoint) =>
        Members.FirstOrDefault(m => m.Endpoint.Port == endpoint.Port && (m.Endpoint.Host == endpoint.Host || (IsLoopback(m.Endpoint.Host) && IsLoopback(endpoint.Host))));

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The local mesh whose supervisor runs from <paramref name="layout"/>, or null when none runs there (or it has no status yet).</summary>
    public static LocalMeshMembers? Running(LocalLayout layout)
    {
        if (LockFile.RunningPid(layout.LockFile) is null || LocalStatus.TryRead(layout.Status) is not { } status) return null;
        return new LocalMeshMembers(layout.StateDir, status.Members
            .Select(m => new LocalMember(m.Name, m.Role, new MeshEndpoint("127.0.0.1", m.AdminPort))).ToList());
    }
}

/// <summary>
/// Which ztunnels a <c>zc</c> view asks. A named endpoint (HOST:PORT, <c>-e</c>, $MESHCTL_ENDPOINT) is asked alone, as
/// before. Without one, if a local mesh runs (default state dir, or <c>--state-dir</c>), every node of it is asked —
/// or only <c>--node NAME</c> — and the views are merged with a NODE column; otherwise the default endpoint is asked.
/// </summary>
public sealed class ZtunnelTargetOptions
{
    public Option<string?> StateDir { get; } = new("--state-dir")
    {
        Description = "Local mesh state directory, to find its nodes when no HOST:PORT is given " +
                      "(default /var/lib/meshactors/local as root, else $XDG_STATE_HOME/meshactors/local)",
        HelpName = "DIR",
        Recursive = true,
    };

    public void AddTo(Command command) => command.Options.Add(StateDir);

    /// <summary>The local mesh meshctl would use (given or default state dir), or null when none runs there.</summary>
    public LocalMeshMembers? FindLocalMeshMembers(Invocation inv)
    {
        var layout = Layout(inv);
        var isDefault = layout.StateDir == Path.GetFullPath(LocalLayout.DefaultStateDir(Posix.IsRoot, inv.GetEnvironment));
        return LocalMeshMembers.Running(layout) is { } local
            ? local with { StateDirArgument = isDefault ? "" : $" --state-dir {layout.StateDir}" }
            : null;
    }

    /// <summary>
    /// The ztunnels to ask and, in local mode, the mesh they belong to. <paramref name="node"/> (<c>--node</c>) picks one
    /// node in local mode; with a named endpoint it stays a filter (<see cref="ZtunnelFilters"/>).
    /// </summary>
    public (IReadOnlyList<ZtunnelTarget> Targets, LocalMeshMembers? Local) Resolve(Invocation inv, string? node)
    {
        var single = (IReadOnlyList<ZtunnelTarget>)[new ZtunnelTarget(null, inv.Client.Endpoint)];
        if (inv.EndpointGiven) return (single, null);

        var layout = Layout(inv);
        var stateDirGiven = GivenStateDir(inv) is not null;
        if (LocalMeshMembers.Running(layout) is not { } local)
        {
            if (!stateDirGiven) return (single, null);
            throw new UsageException(LockFile.RunningPid(layout.LockFile) is null
                ? $"no local mesh is running (state dir {layout.StateDir}); start one with 'meshctl local up -f DIR', or pass a node's HOST:PORT"
                : $"the local mesh in {layout.StateDir} is starting (no status yet); try again in a moment");
        }

        var nodes = local.Nodes;
        if (nodes.Count == 0)
            throw new UsageException($"the local mesh in {local.StateDir} has no node members");
        if (node is null)
            return (nodes.Select(n => new ZtunnelTarget(n.Name, n.Endpoint)).ToList(), local);
        var picked = nodes.FirstOrDefault(n => n.Name == node)
            ?? throw new UsageException($"--node: no node '{node}' in the local mesh; its nodes are {local.NodeList}");
        return ([new ZtunnelTarget(picked.Name, picked.Endpoint)], local);
    }

    private string? GivenStateDir(Invocation inv) => inv.Parse.GetValue(StateDir) is { } dir && !string.IsNullOrWhiteSpace(dir) ? dir : null;

    private LocalLayout Layout(Invocation inv) =>
        new(Path.GetFullPath(GivenStateDir(inv) ?? LocalLayout.DefaultStateDir(Posix.IsRoot, inv.GetEnvironment)));
}
