using Mesh.Hbone.Sockets;
using Mesh.Node.Telemetry.Metrics;

namespace Mesh.Node.Telemetry;

/// <summary>
/// Where metrics read state owned by other parts of the node, without those parts depending on metrics: the data
/// path registers its DNS proxies and HBONE pool here (a singleton in DI). Read only when scraped.
/// </summary>
public sealed class NodeTelemetrySources
{
    /// <summary>Every pod's DNS proxy registers its counters here (dispose the registration when the proxy stops).</summary>
    public DnsStatsRegistry Dns { get; } = new();

    /// <summary>Open HBONE (HTTP/2) connections in the client pool; set by the pool owner. Null: not reported.</summary>
    public Func<int>? HbonePoolConnections { get; set; }

    /// <summary>Failed accepts of every listener of the node (null: not reported).</summary>
    public AcceptFailures? AcceptFailures { get; set; }

    /// <summary>Open connections closed because a state change made policy deny them; set by the enforcement owner.</summary>
    public Func<long>? PolicyClosedConnections { get; set; }
}
