using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Node.Telemetry;

namespace Mesh.Node.Proxy.Outbound;

/// <summary>
/// How an outbound connection (15001 capture or SOCKS5) is described to <see cref="IConnectionTelemetry"/>: the record
/// from the route actually taken, and the failure a connect error maps to (HBONE 401 → DENY, anything else that kept
/// the upstream from opening → CONNECT).
/// </summary>
internal static class OutboundTelemetry
{
    public static ConnectionRecord Describe(OutboundRoute taken, OutboundSource source, IPEndPoint client, IPEndPoint? original, bool overHbone) => new()
    {
        Direction = ConnectionDirection.Outbound,
        Protocol = overHbone ? ConnectionProtocol.Hbone : ConnectionProtocol.Tcp,
        SourceAddress = client,
        SourceWorkload = source.Workload,
        SourceIdentity = source.Workload?.Identity,
        DestinationAddress = (overHbone ? taken.HboneEndpoint : taken.Target) ?? original ?? new IPEndPoint(IPAddress.Any, 0),
        DestinationHboneAddress = overHbone ? taken.Target : null,
        OriginalDestination = original,
        DestinationService = taken.Service,
        DestinationWorkload = taken.Workload,
        SecurityPolicy = overHbone ? ConnectionSecurityPolicy.MutualTls : ConnectionSecurityPolicy.Unknown,
    };

    public static ConnectionFailure ConnectFailure(Exception e) => e switch
    {
        HboneException { Status: 401 } h => ConnectionFailure.Denied($"hbone 401: {h.Message}"),
        HboneException h => ConnectionFailure.ConnectFailed(h.Status is { } status ? $"hbone {status}: {h.Message}" : h.Message),
        SocketException s => ConnectionFailure.ConnectFailed($"connect failed: {s.SocketErrorCode}"),
        OperationCanceledException => ConnectionFailure.ConnectFailed("connect timed out"),
        _ => ConnectionFailure.ConnectFailed(e.Message),
    };

    public static ConnectionFailure? RelayFailure(RelayResult result) => result.Outcome switch
    {
        RelayOutcome.Failed => ConnectionFailure.Error($"{result.ErrorSide.ToString().ToLowerInvariant()} failed: {result.Error?.Message}"),
        RelayOutcome.Cancelled => ConnectionFailure.Error("closed by the ztunnel"),
        _ => null,
    };
}
