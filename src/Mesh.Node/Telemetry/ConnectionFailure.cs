namespace Mesh.Node.Telemetry;

/// <summary>
/// Why a connection ended badly: the <c>response_flags</c> label and the access log's <c>error</c> field.
/// Allocated only for failed connections.
/// </summary>
/// <param name="Flags">DENY (policy), CONNECT (no upstream), or None for other errors (reset, cancelled, ...).</param>
/// <param name="Message">A short human-readable reason.</param>
public sealed record ConnectionFailure(ResponseFlags Flags, string Message)
{
    /// <summary>Authorization policy denied the connection (HBONE 401, or an L4 deny on 15006/15001).</summary>
    public static ConnectionFailure Denied(string message) => new(ResponseFlags.Deny, message);

    /// <summary>The upstream (app, peer ztunnel, waypoint) could not be reached (HBONE 503, connect refused/timeout).</summary>
    public static ConnectionFailure ConnectFailed(string message) => new(ResponseFlags.Connect, message);

    /// <summary>Any other failure after the connection was established (reset, protocol error, drained).</summary>
    public static ConnectionFailure Error(string message) => new(ResponseFlags.None, message);

    /// <summary>The bounded reason label of <c>ztunnel_connection_failures_total</c>.</summary>
    public string Reason => Flags switch
    {
        ResponseFlags.Deny => "denied",
        ResponseFlags.Connect => "connect",
        _ => "error",
    };
}
