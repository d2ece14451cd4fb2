using Mesh.Node.Telemetry;
using Mesh.Protocol.Admin;

namespace Mesh.Node.AdminServer;

/// <summary>
/// Live connections as istioctl's <c>zc connections</c> shows them. Inbound: LOCAL is the local target (the HBONE
/// authority, else the address reached), REMOTE the client. Outbound: LOCAL is the pod's socket, REMOTE the address
/// this ztunnel connected to (e.g. podIP:15008), REMOTE TARGET what the app dialed (else the HBONE authority).
/// </summary>
public static class ConnectionViews
{
    public static IReadOnlyList<ConnectionView> Of(LiveConnections live) => live.Snapshot().Select(Of).ToList();

    public static ConnectionView Of(ConnectionRecord c)
    {
        var outbound = c.Direction == ConnectionDirection.Outbound;
        var local = outbound ? c.SourceAddress.ToString() : (c.DestinationHboneAddress ?? c.DestinationAddress).ToString();
        var remote = outbound ? c.DestinationAddress.ToString() : c.SourceAddress.ToString();
        var target = outbound ? (c.OriginalDestination ?? c.DestinationHboneAddress)?.ToString() ?? "" : "";
        return new ConnectionView(c.Id, c.LocalWorkload?.Name ?? "", c.LocalWorkload?.Namespace ?? "",
            outbound ? "Outbound" : "Inbound", local, remote, target, TelemetryValues.Protocol(c.Protocol),
            c.EffectiveSourceIdentity?.ToString(), c.EffectiveDestinationIdentity?.ToString(), c.DestinationService?.Hostname,
            c.StartTime);
    }
}
