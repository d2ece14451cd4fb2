using System.Text.Json;
using Mesh.Protocol.Admin;

namespace Mesh.Cli.Local;

/// <param name="Ztunnel">A node's admin/stats/readiness ports (null for the control).</param>
public sealed record MemberStatus(string Name, string Role, int? Pid, bool Running, int Restarts, string Cluster, int AdminPort, string? LastExit,
    ZtunnelPortSet? Ztunnel = null);

public sealed record ContainerStatus(string Name, int? Pid, bool Running, int Restarts, string? LastExit);

public sealed record PodStatus(
    string Namespace, string Name, string Uid, string Ip, string Node, bool Ambient, bool Ready, bool Failed,
    string Message, IReadOnlyList<ContainerStatus> Containers);

public sealed record ServiceStatus(string Namespace, string Name, string Vip, IReadOnlyList<int> Ports, IReadOnlyList<string> Endpoints);

/// <summary>What the supervisor writes to <c>status.json</c> on every change and <c>local status</c>/<c>up</c> read.</summary>
public sealed record LocalStatus(
    int SupervisorPid,
    string Mode,
    string StateDir,
    string Manifests,
    string ControlEndpoint,
    long Generation,
    int ManifestErrors,
    IReadOnlyList<MemberStatus> Members,
    IReadOnlyList<PodStatus> Pods,
    IReadOnlyList<ServiceStatus> Services,
    IReadOnlyList<string> Problems,
    DateTimeOffset UpdatedAt,
    string? SocksEndpoint = null)
{
    public const string NetnsMode = "netns";
    public const string LoopbackMode = "loopback";

    public bool AllMembersUp => Members.Count > 0 && Members.All(m => m.Cluster == "up");

    /// <summary>Every pod Ready, or permanently failed (a config problem, reported; it does not block <c>up</c>).</summary>
    public bool PodsSettled => Generation > 0 && Pods.All(p => p.Ready || p.Failed);

    public void WriteAtomically(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, AdminJson.Options));
        File.Move(temp, path, overwrite: true);
    }

    public static LocalStatus? TryRead(string path)
    {
        try { return JsonSerializer.Deserialize<LocalStatus>(File.ReadAllText(path), AdminJson.Options); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }
}
