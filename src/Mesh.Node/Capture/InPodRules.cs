using System.Globalization;
using System.Net;
using System.Text;

namespace Mesh.Node.Capture;

/// <summary>
/// The capture rules the node agent programs inside an ambient pod's netns, equivalent to Istio's in-pod mode
/// (istio-cni <c>AppendInpodRules</c>, nat REDIRECT variant; same chain names, ports and marks, so the two agree on
/// what a captured pod looks like):
/// <list type="bullet">
/// <item>outbound TCP not to loopback → 15001; inbound TCP not to 15008 → 15006 (15008 is served where it lands);</item>
/// <item>DNS udp/tcp 53 → 15053 (optional);</item>
/// <item>packets with the ztunnel mark 0x539 are never captured; loopback traffic to the pod itself is left alone;</item>
/// <item>the ztunnel's connections get connmark 0x111, restored on the app's replies, and
/// <c>ip rule fwmark 0x111/0xfff lookup 100</c> + <c>ip route local default dev lo table 100</c> deliver replies
/// addressed to a spoofed (IP_TRANSPARENT) client IP back to the ztunnel socket.</item>
/// </list>
/// </summary>
public sealed partial class InPodRules
{
    /// <summary>Our chain hooked from PREROUTING in each table we use.</summary>
    public const string PreroutingChain = "ISTIO_PRERT";
    /// <summary>Our chain hooked from OUTPUT in each table we use.</summary>
    public const string OutputChain = "ISTIO_OUTPUT";

    /// <summary>Outbound capture port.</summary>
    public const int OutboundPort = 15001;
    /// <summary>Inbound plaintext capture port.</summary>
    public const int InboundPlaintextPort = 15006;
    /// <summary>Inbound HBONE port; not redirected.</summary>
    public const int InboundHbonePort = 15008;
    /// <summary>DNS proxy port.</summary>
    public const int DnsPort = 15053;

    /// <summary>Connmark/fwmark for connections the ztunnel opened, restored on replies for policy routing.</summary>
    public const uint ReplyMark = 0x111;
    /// <summary>The bits of the mark we own.</summary>
    public const uint MarkMask = 0xfff;
    /// <summary>Routing table holding the "everything is local" route for marked replies.</summary>
    public const int RouteTable = 100;
    /// <summary>Priority of the fwmark rule (before main at 32766).</summary>
    public const int RulePriority = 32764;

    private static readonly string ZtunnelMark = Hex(SocketOptionsEx.ZtunnelMark) + "/" + Hex(MarkMask);
    private static readonly string ReplyMarkMasked = Hex(ReplyMark) + "/" + Hex(MarkMask);

    /// <summary>Creates rules for <paramref name="options"/> (defaults: IPv4 only, DNS capture on).</summary>
    public InPodRules(InPodRulesOptions? options = null) => Options = options ?? new InPodRulesOptions();

    /// <summary>The options these rules were built with.</summary>
    public InPodRulesOptions Options { get; }

    /// <summary>The <c>iptables-restore --noflush</c> input for IPv4 (or IPv6 with <paramref name="ipv6"/>).</summary>
    public string RenderIptablesRestore(bool ipv6 = false) => Render(ipv6 ? IpFamily.V6 : IpFamily.V4, presentJumps: null);

    /// <summary>The tables these options use; others must not contain our chains.</summary>
    internal IEnumerable<string> Tables => Options.RedirectDns ? ["mangle", "nat", "raw"] : ["mangle", "nat"];

    /// <summary>Renders the restore input, leaving out jumps that already exist so re-applying adds none twice.</summary>
    internal string Render(IpFamily family, IReadOnlyDictionary<string, IptablesTable>? presentJumps)
    {
        var loopback = family.Loopback;
        var probe = family.IsV6 ? Options.HostProbeSnatAddressV6 : Options.HostProbeSnatAddress;
        var text = new StringBuilder();

        void Table(string name, params IEnumerable<string>[] ruleGroups)
        {
            text.Append('*').Append(name).Append('\n');
            // Declaring a user chain in --noflush mode flushes it if it exists: our chains are rewritten atomically.
            text.Append(':').Append(PreroutingChain).Append(" - [0:0]\n");
            text.Append(':').Append(OutputChain).Append(" - [0:0]\n");
            foreach (var jump in new[] { $"-A PREROUTING -j {PreroutingChain}", $"-A OUTPUT -j {OutputChain}" })
            {
                if (presentJumps is null || !presentJumps.TryGetValue(name, out var table) || !table.Rules.Contains(jump))
                    text.Append(jump).Append('\n');
            }
            foreach (var rule in ruleGroups.SelectMany(g => g))
                text.Append(rule).Append('\n');
            text.Append("COMMIT\n");
        }

        Table("mangle",
        [
            // The ztunnel's own connections (into the app, seen arriving over lo) get the reply connmark...
            $"-A {PreroutingChain} -m mark --mark {ZtunnelMark} -j CONNMARK --set-xmark {ReplyMarkMasked}",
            // ...which the app's replies carry as fwmark, so "lookup 100" routes them to the local ztunnel socket.
            $"-A {OutputChain} -m connmark --mark {ReplyMarkMasked} -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff",
        ]);

        var nat = new List<string>();
        if (probe is not null)
        {
            // Kubelet probes (SNATed on the node to a fixed address) reach the app directly, and so do the replies.
            nat.Add($"-A {PreroutingChain} -s {Host(probe)} -p tcp -m tcp -j ACCEPT");
            nat.Add($"-A {OutputChain} -d {Host(probe)} -p tcp -m tcp -j ACCEPT");
        }
        nat.Add($"-A {PreroutingChain} ! -d {loopback} -p tcp -m tcp ! --dport {InboundHbonePort} -m mark ! --mark {ZtunnelMark} -j REDIRECT --to-ports {InboundPlaintextPort}");
        if (Options.RedirectDns)
        {
            nat.Add($"-A {OutputChain} ! -o lo -p udp -m mark ! --mark {ZtunnelMark} -m udp --dport 53 -j REDIRECT --to-ports {DnsPort}");
            nat.Add($"-A {OutputChain} ! -d {loopback} -p tcp -m tcp --dport 53 -m mark ! --mark {ZtunnelMark} -j REDIRECT --to-ports {DnsPort}");
        }
        nat.Add($"-A {OutputChain} -p tcp -m mark --mark {ReplyMarkMasked} -j ACCEPT");
        // The app talking to its own pod IP stays inside the pod (no hairpin through the ztunnel).
        nat.Add($"-A {OutputChain} ! -d {loopback} -o lo -j ACCEPT");
        nat.Add($"-A {OutputChain} ! -d {loopback} -p tcp -m mark ! --mark {ZtunnelMark} -j REDIRECT --to-ports {OutboundPort}");
        Table("nat", nat);

        if (Options.RedirectDns)
        {
            // Separate conntrack zone for proxy<->upstream DNS so its flows cannot collide with the app's (istio#33469).
            Table("raw",
            [
                $"-A {OutputChain} -p udp -m mark --mark {ZtunnelMark} -m udp --dport 53 -j CT --zone 1",
                $"-A {PreroutingChain} -p udp -m mark ! --mark {ZtunnelMark} -m udp --sport 53 -j CT --zone 1",
            ]);
        }
        return text.ToString();
    }

    private static string Hex(uint value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string Host(IPAddress address) =>
        address.ToString() + (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "/128" : "/32");
}
