using System.Net.Sockets;
using Mesh.Hbone.Client;
using Mesh.Hbone.Relay;

namespace Mesh.Node.Telemetry;

/// <summary>
/// Why a connection ended badly: the <c>response_flags</c> label and the access log's <c>error</c> field. The one place
/// where outcomes become flags and text (connect errors, HBONE statuses, relay results, policy closes).
/// Allocated only for failed connections.
/// </summary>
/// <param name="Flags">DENY (policy), CONNECT (no upstream), or None for other errors (reset, cancelled, ...).</param>
/// <param name="Message">A short human-readable reason.</param>
public sealed record ConnectionFailure(ResponseFlags Flags, string Message)
{
    /// <summary>
    /// Authorization policy denied the connection: a peer's HBONE 401 (outbound), our own inbound check (401 on 15008, RST
    /// on 15006), or a policy re-check that closed it.
    /// </summary>
    public static ConnectionFailure Denied(string message) => new(ResponseFlags.Deny, message);

    /// <summary>The upstream (app, peer ztunnel, waypoint) could not be reached (HBONE 503, connect refused/timeout).</summary>
    public static ConnectionFailure ConnectFailed(string message) => new(ResponseFlags.Connect, message);

    /// <summary>Any other failure after the connection was established (reset, protocol error, drained).</summary>
    public static ConnectionFailure Error(string message) => new(ResponseFlags.None, message);

    /// <summary>
    /// A failed connect: HBONE 401 → DENY; anything else that kept the upstream from opening (503, refused, timeout, no
    /// endpoint, TLS) → CONNECT.
    /// </summary>
    public static ConnectionFailure OfConnect(Exception error) => error switch
    {
        HboneException { Status: 401 } h => Denied($"hbone 401: {h.Message}"),
        HboneException { Status: { } status } h => ConnectFailed($"hbone {status}: {h.Message}"),
        HboneException h => ConnectFailed(h.Message),
        SocketException s => ConnectFailed($"connect failed: {s.SocketErrorCode}"),
        OperationCanceledException or TimeoutException => ConnectFailed("connect timed out"),
        _ => ConnectFailed(error.Message),
    };

    /// <summary>How a relay ended: null for a clean end; a policy close (<paramref name="closedBy"/>) → DENY; else the error.</summary>
    public static ConnectionFailure? OfRelay(RelayResult result, string? closedBy = null)
    {
        if (closedBy is not null) return Denied($"closed by policy re-check: {closedBy}");
        return result.Outcome switch
        {
            RelayOutcome.Failed => Error($"{(result.ErrorSide == RelaySide.Downstream ? "source" : "destination")} failed: {result.Error?.Message}"),
            RelayOutcome.Cancelled => Error("closed by the ztunnel"),
            _ => null,
        };
    }

    /// <summary>The bounded reason label of <c>ztunnel_connection_failures_total</c>.</summary>
    public string Reason => Flags switch
    {
        ResponseFlags.Deny => "denied",
        ResponseFlags.Connect => "connect",
        _ => "error",
    };
}
