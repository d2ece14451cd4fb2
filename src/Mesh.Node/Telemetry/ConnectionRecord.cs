using System.Diagnostics;
using System.Net;
using Mesh.Hbone.Relay;
using Mesh.Protocol.Identity;
using Mesh.Protocol.Model;

namespace Mesh.Node.Telemetry;

/// <summary>
/// One connection through this ztunnel — the one record per proxied connection. The pipeline describes it once when the
/// destination is known and hands it back when it closes (<see cref="IConnectionTelemetry"/>); the connection's line
/// (the access log), its metrics, the pod's counters and <c>zc connections</c> all come from here, so the data path never
/// formats labels or log lines itself. Bytes: <see cref="Bytes"/> counts while the relay runs, with the source (the side
/// that opened the connection) as downstream, so Up = source → destination in both directions. Public members are
/// immutable; the few internal fields are telemetry's own bookkeeping (open/closed state, bytes already reported, the
/// cached metric series).
/// </summary>
public sealed class ConnectionRecord
{
    private static long _nextId;

    public ConnectionRecord()
    {
        Id = Interlocked.Increment(ref _nextId);
        StartTime = DateTimeOffset.UtcNow;
        StartTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>Process-unique, increasing.</summary>
    public long Id { get; }

    public required ConnectionDirection Direction { get; init; }

    /// <summary>Istio's <c>reporter</c>: outbound connections are reported by the source, inbound by the destination.</summary>
    public string Reporter => TelemetryValues.Reporter(Direction);

    public ConnectionProtocol Protocol { get; init; } = ConnectionProtocol.Tcp;

    /// <summary>
    /// The client's address: the local pod's socket (outbound), or the peer as seen by us (inbound: for HBONE the tunnel's
    /// TCP peer, i.e. the source pod, since tunnels are dialled from its netns; the <c>forwarded</c> header is not used).
    /// </summary>
    public required IPEndPoint SourceAddress { get; init; }

    /// <summary>The source workload from mesh state, if known.</summary>
    public Workload? SourceWorkload { get; init; }

    /// <summary>
    /// The source's identity: on inbound HBONE the peer's verified SVID (the trustworthy one, as Istio prefers it);
    /// on outbound the local pod's identity. Falls back to <see cref="SourceWorkload"/>'s identity when null.
    /// </summary>
    public SpiffeId? SourceIdentity { get; init; }

    /// <summary>The L4 address this hop talks to: e.g. <c>podIP:15008</c> for HBONE outbound, the app's address inbound.</summary>
    public required IPEndPoint DestinationAddress { get; init; }

    /// <summary>The HBONE <c>:authority</c> (the inner target, <c>podIP:port</c> or <c>VIP:port</c> to a waypoint); null for TCP.</summary>
    public IPEndPoint? DestinationHboneAddress { get; init; }

    /// <summary>What the app dialed (the captured original destination, e.g. a service VIP); null inbound.</summary>
    public IPEndPoint? OriginalDestination { get; init; }

    /// <summary>The service the destination was addressed as, if any.</summary>
    public Service? DestinationService { get; init; }

    public Workload? DestinationWorkload { get; init; }

    /// <summary>
    /// The destination's identity, when the caller sets it; otherwise the destination workload's. The pipelines leave it
    /// unset: on outbound HBONE the TLS handshake already required the peer to prove exactly the workload's identity.
    /// </summary>
    public SpiffeId? DestinationIdentity { get; init; }

    public ConnectionSecurityPolicy SecurityPolicy { get; init; } = ConnectionSecurityPolicy.Unknown;

    /// <summary>The counters of the pod (or SOCKS5 server) this connection belongs to, if any.</summary>
    public ConnectionStats? Counters { get; init; }

    /// <summary>What the relay has moved so far (Up = source → destination); sampled for progress, final at close.</summary>
    public RelayCounters Bytes { get; init; } = new();

    public DateTimeOffset StartTime { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> at creation, for the duration.</summary>
    public long StartTimestamp { get; }

    /// <summary>The local pod this connection belongs to (the WORKLOAD column): source outbound, destination inbound.</summary>
    public Workload? LocalWorkload => Direction == ConnectionDirection.Outbound ? SourceWorkload : DestinationWorkload;

    public SpiffeId? EffectiveSourceIdentity => SourceIdentity ?? SourceWorkload?.Identity;

    public SpiffeId? EffectiveDestinationIdentity => DestinationIdentity ?? DestinationWorkload?.Identity;

    // Telemetry's bookkeeping (see ConnectionTelemetry).
    internal int State; // 0 new, 1 open, 2 closed
    internal long ReportedSent;
    internal long ReportedReceived;
    internal object? Series;

    public override string ToString() =>
        $"#{Id} {TelemetryValues.Direction(Direction)} {SourceAddress} -> {DestinationAddress} ({TelemetryValues.Protocol(Protocol)})";
}
