using System.Net;

namespace Mesh.Node.Capture;

/// <summary>Per-pod choices for <see cref="InPodRules"/> (Istio's REDIRECT_DNS / ENABLE_INBOUND_IPV6 / probe SNAT).</summary>
public sealed record InPodRulesOptions
{
    /// <summary>Send the pod's DNS (udp and tcp 53) to the DNS proxy on 15053.</summary>
    public bool RedirectDns { get; init; } = true;

    /// <summary>Also program ip6tables and the IPv6 rule/route.</summary>
    public bool Ipv6 { get; init; }

    /// <summary>
    /// Source address the node SNATs kubelet probes to (Istio: 169.254.7.127); probes from it bypass capture.
    /// Null: no probe exemption (no host-side SNAT is programmed by this project yet).
    /// </summary>
    public IPAddress? HostProbeSnatAddress { get; init; }

    /// <summary>IPv6 counterpart of <see cref="HostProbeSnatAddress"/>.</summary>
    public IPAddress? HostProbeSnatAddressV6 { get; init; }
}
