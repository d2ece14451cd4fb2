namespace Mesh.Node.Telemetry;

/// <summary>Which way a connection crosses this ztunnel, seen from the pod it serves.</summary>
public enum ConnectionDirection
{
    /// <summary>A local pod opened it (captured on 15001, or SOCKS5); this ztunnel reports as <c>source</c>.</summary>
    Outbound,
    /// <summary>It arrives for a local pod (15008 HBONE or 15006 plaintext); this ztunnel reports as <c>destination</c>.</summary>
    Inbound,
}

/// <summary>How the connection is carried between ztunnels (the PROTOCOL column of <c>zc connections</c>).</summary>
public enum ConnectionProtocol
{
    /// <summary>Plain TCP (an uncaptured destination, passthrough, or the 15006 plaintext port).</summary>
    Tcp,
    /// <summary>HTTP/2 CONNECT over mutual TLS.</summary>
    Hbone,
}

/// <summary>Istio's <c>connection_security_policy</c> label.</summary>
public enum ConnectionSecurityPolicy
{
    /// <summary>Not determined (Istio's ztunnel default, rendered <c>unknown</c>).</summary>
    Unknown,
    /// <summary>Plaintext (rendered <c>none</c>, Envoy's value).</summary>
    None,
    /// <summary>Both ends presented SVIDs (rendered <c>mutual_tls</c>).</summary>
    MutualTls,
}

/// <summary>Istio's <c>response_flags</c>: why a connection did not complete normally.</summary>
public enum ResponseFlags
{
    /// <summary>Completed (rendered <c>-</c>).</summary>
    None,
    /// <summary>Denied by authorization policy (rendered <c>DENY</c>).</summary>
    Deny,
    /// <summary>The upstream connection could not be established (rendered <c>CONNECT</c>).</summary>
    Connect,
}

/// <summary>The exact label values Istio uses for the enums above.</summary>
public static class TelemetryValues
{
    /// <summary>What Istio renders for a label it has no value for.</summary>
    public const string Unknown = "unknown";

    public static string Reporter(ConnectionDirection direction) =>
        direction == ConnectionDirection.Outbound ? "source" : "destination";

    public static string Direction(ConnectionDirection direction) =>
        direction == ConnectionDirection.Outbound ? "outbound" : "inbound";

    public static string Protocol(ConnectionProtocol protocol) => protocol == ConnectionProtocol.Hbone ? "HBONE" : "TCP";

    public static string SecurityPolicy(ConnectionSecurityPolicy policy) => policy switch
    {
        ConnectionSecurityPolicy.MutualTls => "mutual_tls",
        ConnectionSecurityPolicy.None => "none",
        _ => Unknown,
    };

    public static string Flags(ResponseFlags flags) => flags switch
    {
        ResponseFlags.Deny => "DENY",
        ResponseFlags.Connect => "CONNECT",
        _ => "-",
    };

    /// <summary>Istio's DefaultedUnknown: empty or missing renders as <c>unknown</c>.</summary>
    public static string OrUnknown(string? value) => string.IsNullOrEmpty(value) ? Unknown : value;
}
