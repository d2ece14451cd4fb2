using Mesh.Hosting.Cluster.Tls;

namespace Mesh.Hosting.Cluster;

/// <summary>
/// How one process joins the mesh cluster. Bound from the "Mesh" configuration section, so every value can be
/// set with command-line switches (<c>--Mesh:Port=4054</c>) or environment variables (<c>Mesh__Port=4054</c>).
/// </summary>
public sealed class MeshMemberOptions
{
    public const string Section = "Mesh";

    /// <summary>Akka ActorSystem name; every member of one mesh must use the same.</summary>
    public string SystemName { get; set; } = "mesh";

    /// <summary>Address Akka remoting binds to.</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>Address other members use to reach this one (defaults to <see cref="Hostname"/>).</summary>
    public string? PublicHostname { get; set; }

    /// <summary>Akka remoting port (4053 by Akka.Management convention; 0 picks a free port).</summary>
    public int Port { get; set; } = 4053;

    /// <summary>Seed nodes, as "host:port" or full "akka.tcp://mesh@host:port" (or akka.ssl.tcp) addresses. Empty = seed itself.</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>This member's name in views (the node name for a ztunnel; the replica name for control).</summary>
    public string? Name { get; set; }

    /// <summary>Loopback command endpoint that meshctl talks to (pbm's habit: 9110). 0 disables it.</summary>
    public int AdminPort { get; set; } = 9110;

    /// <summary>Bind address of the command endpoint; loopback unless you mean to expose cluster control.</summary>
    public string AdminBind { get; set; } = "127.0.0.1";

    /// <summary>
    /// Split-brain resolver stable-after: how long a partition must be stable before unreachable members are
    /// downed (keep-majority). Akka's default is 20 s; local meshes use less.
    /// </summary>
    public TimeSpan DownAfter { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Heartbeat pause tolerated before a member is marked unreachable.</summary>
    public TimeSpan FailureDetectionPause { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Mutual TLS between members (<c>Mesh:Tls</c>); plaintext when not configured.</summary>
    public MemberTlsOptions Tls { get; set; } = new();

    /// <summary>Akka's address scheme: TLS members live at <c>akka.ssl.tcp://</c>, plaintext ones at <c>akka.tcp://</c>.</summary>
    public string Protocol => Tls.IsEnabled ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>Resolves <see cref="Seeds"/> to full Akka addresses.</summary>
    public IReadOnlyList<string> SeedAddresses() => Seeds
        .Where(s => !string.IsNullOrWhiteSpace(s))
        .Select(s => s.Contains("://", StringComparison.Ordinal) ? s.Trim() : $"{Protocol}://{SystemName}@{s.Trim()}")
        .ToList();
}
