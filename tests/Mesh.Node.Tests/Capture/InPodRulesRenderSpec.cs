using System.Net;
using Mesh.Node.Capture;

namespace Mesh.Node.Tests.Capture;

public class InPodRulesRenderSpec
{
    // Same rules, chains, ports and marks as istio-cni's in-pod mode (cni/pkg/iptables testdata, REDIRECT variant).
    private const string DefaultV4 = """
        *mangle
        :ISTIO_PRERT - [0:0]
        :ISTIO_OUTPUT - [0:0]
        -A PREROUTING -j ISTIO_PRERT
        -A OUTPUT -j ISTIO_OUTPUT
        -A ISTIO_PRERT -m mark --mark 0x539/0xfff -j CONNMARK --set-xmark 0x111/0xfff
        -A ISTIO_OUTPUT -m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff
        COMMIT
        *nat
        :ISTIO_PRERT - [0:0]
        :ISTIO_OUTPUT - [0:0]
        -A PREROUTING -j ISTIO_PRERT
        -A OUTPUT -j ISTIO_OUTPUT
        -A ISTIO_PRERT ! -d 127.0.0.1/32 -p tcp -m tcp ! --dport 15008 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15006
        -A ISTIO_OUTPUT ! -o lo -p udp -m mark ! --mark 0x539/0xfff -m udp --dport 53 -j REDIRECT --to-ports 15053
        -A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m tcp --dport 53 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15053
        -A ISTIO_OUTPUT -p tcp -m mark --mark 0x111/0xfff -j ACCEPT
        -A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -j ACCEPT
        -A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001
        COMMIT
        *raw
        :ISTIO_PRERT - [0:0]
        :ISTIO_OUTPUT - [0:0]
        -A PREROUTING -j ISTIO_PRERT
        -A OUTPUT -j ISTIO_OUTPUT
        -A ISTIO_OUTPUT -p udp -m mark --mark 0x539/0xfff -m udp --dport 53 -j CT --zone 1
        -A ISTIO_PRERT -p udp -m mark ! --mark 0x539/0xfff -m udp --sport 53 -j CT --zone 1
        COMMIT

        """;

    private const string NoDnsWithProbeV6 = """
        *mangle
        :ISTIO_PRERT - [0:0]
        :ISTIO_OUTPUT - [0:0]
        -A PREROUTING -j ISTIO_PRERT
        -A OUTPUT -j ISTIO_OUTPUT
        -A ISTIO_PRERT -m mark --mark 0x539/0xfff -j CONNMARK --set-xmark 0x111/0xfff
        -A ISTIO_OUTPUT -m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff
        COMMIT
        *nat
        :ISTIO_PRERT - [0:0]
        :ISTIO_OUTPUT - [0:0]
        -A PREROUTING -j ISTIO_PRERT
        -A OUTPUT -j ISTIO_OUTPUT
        -A ISTIO_PRERT -s fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128 -p tcp -m tcp -j ACCEPT
        -A ISTIO_OUTPUT -d fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128 -p tcp -m tcp -j ACCEPT
        -A ISTIO_PRERT ! -d ::1/128 -p tcp -m tcp ! --dport 15008 -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15006
        -A ISTIO_OUTPUT -p tcp -m mark --mark 0x111/0xfff -j ACCEPT
        -A ISTIO_OUTPUT ! -d ::1/128 -o lo -j ACCEPT
        -A ISTIO_OUTPUT ! -d ::1/128 -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001
        COMMIT

        """;

    [Fact]
    public void Default_rules_match_the_golden_text() =>
        Assert.Equal(DefaultV4.ReplaceLineEndings("\n"), new InPodRules().RenderIptablesRestore());

    [Fact]
    public void Without_dns_and_with_a_probe_address_ipv6_matches_the_golden_text()
    {
        var rules = new InPodRules(new InPodRulesOptions
        {
            RedirectDns = false,
            HostProbeSnatAddressV6 = IPAddress.Parse("fd16:9254:7127:1337:ffff:ffff:ffff:ffff"),
        });
        Assert.Equal(NoDnsWithProbeV6.ReplaceLineEndings("\n"), rules.RenderIptablesRestore(ipv6: true));
    }

    [Fact]
    public void Jumps_already_present_are_not_rendered_again()
    {
        var present = IptablesSave.Parse("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j ISTIO_PRERT\nCOMMIT\n");
        var text = new InPodRules().Render(IpFamily.V4, present);
        var nat = text[text.IndexOf("*nat", StringComparison.Ordinal)..text.IndexOf("*raw", StringComparison.Ordinal)];
        Assert.DoesNotContain("-A PREROUTING -j ISTIO_PRERT", nat);
        Assert.Contains("-A OUTPUT -j ISTIO_OUTPUT", nat);
        Assert.Contains("-A PREROUTING -j ISTIO_PRERT", text[..text.IndexOf("*nat", StringComparison.Ordinal)]); // mangle still gets it
    }
}
