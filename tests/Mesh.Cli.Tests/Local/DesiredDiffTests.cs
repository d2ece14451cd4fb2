using Mesh.Cli.Local.Pods;
using Mesh.Protocol.Local;

namespace Mesh.Cli.Tests.Local;

public class DesiredDiffTests
{
    private static LocalPod Pod(string name, string ip = "10.244.0.5", bool ambient = true, string image = "meshactors/echo", string label = "v1") =>
        new($"K//Pod/demo/{name}", "demo", name, "node-0", ip, ambient, "default", new Dictionary<string, string> { ["version"] = label },
            [new LocalContainer("main", image, [], [], new Dictionary<string, string>(), [new LocalContainerPort("http", 8080, "TCP")], null)]);

    private static LocalDesiredState State(IReadOnlyList<LocalPod> pods, params LocalService[] services) => new(1, ["node-0"], pods, services, 0);

    [Fact]
    public void Equal_content_is_no_change() =>
        Assert.True(DesiredDiff.Compute([Pod("a")], [], State([Pod("a")])).IsEmpty);

    [Fact]
    public void Added_removed_recreated_and_updated_are_told_apart()
    {
        var changes = DesiredDiff.Compute(
            [Pod("keep"), Pod("gone"), Pod("moved"), Pod("enrolled", ambient: false), Pod("relabelled")], [],
            State([Pod("keep"), Pod("new"), Pod("moved", ip: "10.244.1.5"), Pod("enrolled", ambient: true), Pod("relabelled", label: "v2")]));

        Assert.Equal(["new"], changes.Added.Select(p => p.Name));
        Assert.Equal(["gone"], changes.Removed.Select(p => p.Name));
        Assert.Equal(["moved"], changes.Recreated.Select(p => p.New.Name));
        Assert.Equal(["enrolled", "relabelled"], changes.Updated.Select(p => p.New.Name));
        Assert.False(changes.ServicesChanged);
    }

    [Fact]
    public void A_changed_image_recreates_the_pod() =>
        Assert.Single(DesiredDiff.Compute([Pod("a")], [], State([Pod("a", image: "meshactors/sleep")])).Recreated);

    [Fact]
    public void Service_changes_are_noticed()
    {
        var service = new LocalService("demo", "echo", "echo.demo.svc.cluster.local", ["10.96.0.1"], [80]);
        Assert.True(DesiredDiff.Compute([], [], State([], service)).ServicesChanged);
        Assert.False(DesiredDiff.Compute([], [service], State([], service with { Addresses = ["10.96.0.1"] })).ServicesChanged);
    }
}
