using Mesh.Cli.Commands.Local;
using Mesh.Cli.Local;

namespace Mesh.Cli.Tests.Local;

public class TryLineTests
{
    private static PodStatus Pod(string ns, string name, string ip) =>
        new(ns, name, $"uid-{name}", ip, "node-0", true, true, false, "running", []);

    private static LocalStatus Status(string mode, IReadOnlyList<PodStatus> pods, IReadOnlyList<ServiceStatus> services) =>
        new(1, mode, "/state", "/manifests", "127.0.0.1:9110", 1, 0, [], pods, services, [], DateTimeOffset.UnixEpoch);

    [Fact]
    public void Names_a_client_pod_and_a_service_of_this_mesh()
    {
        var status = Status(LocalStatus.NetnsMode,
            [Pod("shop", "web-1", "10.244.0.5"), Pod("shop", "tester", "10.244.0.9")],
            [new ServiceStatus("shop", "web", "10.96.0.7", [80], ["10.244.0.5"])]);
        Assert.Equal("try: meshctl local exec -n shop tester -- curl -s http://web.shop:80/", LocalStatusView.TryLine(status));
    }

    [Fact]
    public void Loopback_mode_suggests_curling_an_endpoint_directly()
    {
        var status = Status(LocalStatus.LoopbackMode, [Pod("shop", "web-1", "127.10.0.5")],
            [new ServiceStatus("shop", "web", "10.96.0.7", [8080], ["127.10.0.5"])]);
        Assert.StartsWith("try: curl -s http://127.10.0.5:8080/", LocalStatusView.TryLine(status));
    }

    [Fact]
    public void Nothing_to_suggest_without_a_service_with_endpoints()
    {
        var status = Status(LocalStatus.NetnsMode, [Pod("shop", "web-1", "10.244.0.5")], [new ServiceStatus("shop", "web", "10.96.0.7", [80], [])]);
        Assert.Null(LocalStatusView.TryLine(status));
    }
}
