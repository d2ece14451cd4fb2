using System.Globalization;
using System.Net;
using Mesh.Protocol.Identity;

namespace Mesh.Protocol.Authz;

/// <summary>
/// One connection as the destination's ztunnel sees it: the peer's verified identity (null for plaintext),
/// source and destination address, and the destination port (the workload's port, after service port mapping).
/// Build it once per connection and reuse it for re-checks; the principal string is computed here, not per policy.
/// </summary>
public readonly struct AuthorizationRequest
{
    public AuthorizationRequest(SpiffeId? source, IPAddress sourceIp, IPAddress destinationIp, int destinationPort)
    {
        ArgumentNullException.ThrowIfNull(sourceIp);
        ArgumentNullException.ThrowIfNull(destinationIp);
        ArgumentOutOfRangeException.ThrowIfLessThan(destinationPort, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(destinationPort, 65535);
        Source = source;
        Principal = source?.ToString();
        SourceIp = sourceIp;
        DestinationIp = destinationIp;
        DestinationPort = destinationPort;
        SourceBits = IpBits.From(sourceIp);
        DestinationBits = IpBits.From(destinationIp);
    }

    /// <summary>The peer's SPIFFE identity from its verified certificate; null when the connection is plaintext.</summary>
    public SpiffeId? Source { get; }

    /// <summary><c>spiffe://td/ns/x/sa/y</c>, or null for plaintext.</summary>
    public string? Principal { get; }

    /// <summary>The source namespace is the identity's namespace (never guessed from the IP); null for plaintext.</summary>
    public string? SourceNamespace => Source?.Namespace;

    public IPAddress SourceIp { get; }
    public IPAddress DestinationIp { get; }
    public int DestinationPort { get; }
    public bool IsPlaintext => Source is null;

    internal IpBits SourceBits { get; }
    internal IpBits DestinationBits { get; }

    public override string ToString() =>
        $"{Principal ?? "plaintext"}@{SourceIp} -> {Endpoint(DestinationIp, DestinationPort)}";

    internal static string Endpoint(IPAddress ip, int port) =>
        ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{ip}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{ip}:{port.ToString(CultureInfo.InvariantCulture)}";
}
