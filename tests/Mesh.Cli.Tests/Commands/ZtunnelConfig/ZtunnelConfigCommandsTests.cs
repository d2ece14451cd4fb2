using System.Text.Json;
using Mesh.Cli.Tests.Support;
using Mesh.Protocol.Admin;
using Mesh.Protocol.Model;

namespace Mesh.Cli.Tests.Commands.ZtunnelConfig;

public sealed class ZtunnelConfigCommandsTests
{
    [Theory]
    [InlineData("zc")]
    [InlineData("ztunnel-config")]
    public async Task Workloads_lists_pods_like_istioctl(string group)
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.NodeState, Fixtures.NodeState());

        var result = await Meshctl.RunAsync(server.HostPort, group, "workloads");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Err);
        Assert.Equal(
            """
            NAMESPACE  POD NAME            ADDRESS      NODE    WAYPOINT  PROTOCOL
            bookinfo   productpage-v1-abc  10.244.1.5   node-a  waypoint  HBONE
            default    legacy-0            10.244.1.9   node-a  None      TCP
            default    reviews-v1-7d8f     10.244.1.12  node-a  None      HBONE
            default    reviews-v2-1a2b     10.244.1.13  node-a  None      HBONE

            """, result.Out);
    }

    [Fact]
    public async Task Services_count_the_slices_workloads_bound_to_each_service()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.NodeState, Fixtures.NodeState());

        var result = await Meshctl.RunAsync(server.HostPort, "zc", "services");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            NAMESPACE  SERVICE NAME  SERVICE VIP  WAYPOINT  ENDPOINTS
            bookinfo   productpage   10.96.0.10   waypoint  1
            default    reviews       10.96.0.20   None      2

            """, result.Out);
    }

    [Fact]
    public async Task Policies_list_action_and_scope()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.NodeState, Fixtures.NodeState());

        var result = await Meshctl.RunAsync(server.HostPort, "zc", "policies");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            """
            NAMESPACE     POLICY NAME  ACTION           SCOPE
            bookinfo      ns-allow     Allow (dry-run)  Namespace
            default       deny-legacy  Deny             WorkloadSelector
            istio-system  mesh-wide    Allow            Global

            """, result.Out);
    }

    [Fact]
    public async Task Workloads_as_json_prints_the_slices_workloads_in_table_order()
    {
        var state = Fixtures.NodeState();
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.NodeState, state);

        var result = await Meshctl.RunAsync(server.HostPort, "zc", "workloads", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(state.Slice.Workloads.OrderBy(w => w.Namespace, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal),
            JsonSerializer.Deserialize<ValueList<Workload>>(result.Out, AdminJson.Options)!);
        Assert.Contains("\n    \"tunnelProtocol\": \"hbone\",", result.Out);
    }

    [Fact]
    public async Task Policies_as_json_prints_the_slices_policies()
    {
        var state = Fixtures.NodeState();
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.NodeState, state);

        var result = await Meshctl.RunAsync(server.HostPort, "zc", "policies", "-o", "json");

        Assert.Equal(state.Slice.Policies.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal),
            JsonSerializer.Deserialize<ValueList<Authorization>>(result.Out, AdminJson.Options)!);
    }

    [Fact]
    public async Task An_unsynced_node_warns_on_stderr_but_still_prints()
    {
        await using var server = await FakeCommandEndpoint.ServingAsync(AdminRoutes.NodeState, Fixtures.NodeState(synced: false));

        var result = await Meshctl.RunAsync(server.HostPort, "zc", "services");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("NAMESPACE", result.Out);
        Assert.Equal("meshctl: warning: node node-a has not received its state yet; the view may be incomplete\n", result.Err);
    }
}
