using Mesh.Control.Ambient;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class EnrollmentTests
{
    private const string Mode = AmbientLabels.DataplaneMode;

    [Fact]
    public void Namespace_label_enrolls_its_pods()
    {
        var state = Compute(Set([AmbientNamespace("a")], [Pod("a", "p")]));
        Assert.Equal(TunnelProtocol.Hbone, state.Workload("a", "p").TunnelProtocol);
    }

    [Fact]
    public void Pod_label_enrolls_a_pod_in_a_plain_namespace()
    {
        var state = Compute(Set([Namespace("a")], [Pod("a", "in", (Mode, "ambient")), Pod("a", "out")]));
        Assert.Equal(TunnelProtocol.Hbone, state.Workload("a", "in").TunnelProtocol);
        Assert.Equal(TunnelProtocol.None, state.Workload("a", "out").TunnelProtocol);
    }

    [Fact]
    public void Pod_label_none_opts_out_of_an_ambient_namespace()
    {
        var state = Compute(Set([AmbientNamespace("a")], [Pod("a", "p", (Mode, "none"))]));
        Assert.Equal(TunnelProtocol.None, state.Workload("a", "p").TunnelProtocol);
    }

    [Fact]
    public void Unenrolled_pods_are_still_workloads()
    {
        var state = Compute(Set([Namespace("a")], [Pod("a", "p")]));
        Assert.Single(state.Workloads);
    }

    [Fact]
    public void Host_network_pods_are_never_captured()
    {
        var pod = Pod("a", "p", (Mode, "ambient"));
        pod.Spec.HostNetwork = true;
        var state = Compute(Set([AmbientNamespace("a")], [pod]));
        Assert.Equal(TunnelProtocol.None, state.Workload("a", "p").TunnelProtocol);
    }

    [Theory]
    [InlineData("Succeeded")]
    [InlineData("Failed")]
    public void Finished_pods_are_skipped(string phase)
    {
        var state = Compute(Set([AmbientNamespace("a")], [Pod("a", "p").WithStatus(phase)]));
        Assert.Empty(state.Workloads);
    }

    [Fact]
    public void Terminating_pods_are_skipped()
    {
        var pod = Pod("a", "p");
        pod.Metadata.DeletionTimestamp = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Empty(Compute(Set([AmbientNamespace("a")], [pod])).Workloads);
    }

    [Fact]
    public void Missing_namespace_object_means_not_enrolled()
    {
        var state = Compute(Set(pods: [Pod("ghost", "p")]));
        Assert.Equal(TunnelProtocol.None, state.Workload("ghost", "p").TunnelProtocol);
    }
}
