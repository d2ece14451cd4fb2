namespace Mesh.Node.AdminServer;

/// <summary>
/// The ztunnel's own HTTP ports (Istio's), bound from "Mesh:Node:Ports". Not to be confused with <c>Mesh:AdminPort</c>
/// (9110), the command endpoint meshctl talks to. Port 0 disables a server. In local mode several nodes share one
/// host, so the supervisor gives each node its own ports.
/// </summary>
public sealed class NodePortsOptions
{
    public const string Section = "Mesh:Node:Ports";

    /// <summary>Admin: <c>/config_dump</c>, <c>/logging</c>. Loopback only by default: it can change log levels.</summary>
    public int Admin { get; set; } = 15000;
    public string AdminBind { get; set; } = "127.0.0.1";

    /// <summary>Prometheus: <c>/metrics</c> and <c>/stats/prometheus</c>, on all interfaces (scraped from outside).</summary>
    public int Stats { get; set; } = 15020;
    public string StatsBind { get; set; } = "0.0.0.0";

    /// <summary>Readiness: <c>/healthz/ready</c>, on all interfaces (kubelet probes it).</summary>
    public int Readiness { get; set; } = 15021;
    public string ReadinessBind { get; set; } = "0.0.0.0";
}
