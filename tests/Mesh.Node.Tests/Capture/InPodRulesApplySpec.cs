using Mesh.Testing;
using Mesh.Node.Capture;

namespace Mesh.Node.Tests.Capture;

public sealed class InPodRulesApplySpec : IAsyncLifetime
{
    private readonly string _netns = $"mt-{Guid.NewGuid().ToString("N")[..8]}-r";
    private bool _created;

    public async Task InitializeAsync()
    {
        if (new RootFactAttribute().Skip is null)
        {
            await Sh.RunAsync("ip", "netns", "add", _netns);
            await Sh.RunAsync("ip", "-n", _netns, "link", "set", "lo", "up");
            _created = true;
        }
    }

    public async Task DisposeAsync()
    {
        if (_created)
            await Sh.TryRunAsync("ip", "netns", "del", _netns);
    }

    [RootFact]
    public async Task Apply_is_idempotent_and_remove_restores_iptables_and_routing_exactly()
    {
        var rules = new InPodRules();
        var iptablesBefore = await Sh.IptablesSaveAsync(_netns);
        var routingBefore = await Sh.RoutingAsync(_netns);

        await rules.ApplyAsync(_netns);
        var iptablesApplied = await Sh.IptablesSaveAsync(_netns);
        var routingApplied = await Sh.RoutingAsync(_netns);
        Assert.Contains("-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -p tcp -m mark ! --mark 0x539/0xfff -j REDIRECT --to-ports 15001", iptablesApplied);
        Assert.Contains("fwmark 0x111/0xfff lookup 100", routingApplied);
        Assert.Contains("local default dev lo", routingApplied);

        await rules.ApplyAsync(_netns);
        Assert.Equal(iptablesApplied, await Sh.IptablesSaveAsync(_netns));
        Assert.Equal(routingApplied, await Sh.RoutingAsync(_netns));

        await rules.RemoveAsync(_netns);
        Assert.Equal(iptablesBefore, await Sh.IptablesSaveAsync(_netns));
        Assert.Equal(routingBefore, await Sh.RoutingAsync(_netns));

        await rules.RemoveAsync(_netns); // nothing there: no error, no change
        Assert.Equal(iptablesBefore, await Sh.IptablesSaveAsync(_netns));
        Assert.Equal(routingBefore, await Sh.RoutingAsync(_netns));
    }

    [RootFact]
    public async Task Remove_keeps_rules_that_are_not_ours()
    {
        await Sh.RunAsync("ip", "netns", "exec", _netns, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "9", "-j", "ACCEPT");
        var before = await Sh.IptablesSaveAsync(_netns);

        await new InPodRules().ApplyAsync(_netns);
        await new InPodRules().RemoveAsync(_netns);

        Assert.Equal(before, await Sh.IptablesSaveAsync(_netns));
    }

    [RootFact]
    public async Task Reapplying_without_dns_drops_the_raw_table_chains()
    {
        await new InPodRules().ApplyAsync(_netns);
        Assert.Contains("*raw", await Sh.IptablesSaveAsync(_netns));

        await new InPodRules(new InPodRulesOptions { RedirectDns = false }).ApplyAsync(_netns);
        var save = await Sh.IptablesSaveAsync(_netns);
        Assert.DoesNotContain("*raw", save);
        Assert.DoesNotContain("15053", save);
        Assert.Contains("15001", save);
    }

    [RootFact]
    public async Task Ipv6_is_programmed_and_removed_too()
    {
        var rules = new InPodRules(new InPodRulesOptions { Ipv6 = true });
        var v6Before = await Sh.RunAsync("ip", "netns", "exec", _netns, "ip6tables-save");
        var routingBefore = await Sh.RunAsync("ip", "-n", _netns, "-6", "rule", "show");

        await rules.ApplyAsync(_netns);
        await rules.ApplyAsync(_netns);
        var v6 = await Sh.RunAsync("ip", "netns", "exec", _netns, "ip6tables-save");
        Assert.Equal(3, v6.Split('\n').Count(l => l == "-A OUTPUT -j ISTIO_OUTPUT")); // one jump per table after two applies
        Assert.Contains("--to-ports 15006", v6);
        Assert.Contains("fwmark 0x111/0xfff lookup 100", await Sh.RunAsync("ip", "-n", _netns, "-6", "rule", "show"));
        Assert.Contains("local default dev lo", await Sh.RunAsync("ip", "-n", _netns, "-6", "route", "show", "table", "100"));

        await rules.RemoveAsync(_netns);
        Assert.Equal(Strip(v6Before), Strip(await Sh.RunAsync("ip", "netns", "exec", _netns, "ip6tables-save")));
        Assert.Equal(routingBefore, await Sh.RunAsync("ip", "-n", _netns, "-6", "rule", "show"));
        Assert.Equal("", await Sh.IptablesSaveAsync(_netns));
    }

    private static string Strip(string save) => string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')));

    [RootFact]
    public async Task A_netns_can_be_given_by_path()
    {
        var path = $"/var/run/netns/{_netns}";
        await new InPodRules().ApplyAsync(path);
        Assert.Contains("--to-ports 15001", await Sh.IptablesSaveAsync(_netns));

        await new InPodRules().RemoveAsync(path);
        Assert.Equal("", await Sh.IptablesSaveAsync(_netns));
    }

    [RootFact]
    public async Task Failures_through_nsenter_name_the_command_and_its_stderr()
    {
        // A namespace file of the wrong type: nsenter refuses it.
        var error = await Assert.ThrowsAsync<CaptureCommandException>(() => new InPodRules().RemoveAsync("/proc/self/ns/uts"));
        Assert.StartsWith("nsenter --net=/proc/self/ns/uts -- ", error.Command);
        Assert.NotEmpty(error.Stderr);
    }

    [RootFact]
    public async Task Failures_name_the_command_and_its_stderr()
    {
        var error = await Assert.ThrowsAsync<CaptureCommandException>(() => new InPodRules().ApplyAsync("mt-no-such-netns"));
        Assert.Contains("ip netns exec mt-no-such-netns", error.Command);
        Assert.NotEqual(0, error.ExitCode);
        Assert.Contains("mt-no-such-netns", error.Stderr);
        Assert.Contains(error.Command, error.Message);
    }
}
