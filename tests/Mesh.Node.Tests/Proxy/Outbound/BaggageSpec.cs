using Mesh.Hbone;
using Mesh.Node.Proxy.Outbound;
using Mesh.Protocol.Model;
using static Mesh.Node.Tests.Proxy.Outbound.MeshFixtures;

namespace Mesh.Node.Tests.Proxy.Outbound;

public class BaggageSpec
{
    [Fact]
    public void Baggage_names_cluster_namespace_workload_and_canonical_service()
    {
        var client = Pod("client", "10.0.0.2") with { WorkloadName = "client-app", CanonicalName = "client", CanonicalRevision = "v2" };
        Assert.Equal("k8s.cluster.name=Kubernetes,k8s.namespace.name=demo,k8s.deployment.name=client-app,service.name=client,service.version=v2",
            Baggage.For(client));
    }

    [Theory]
    [InlineData(WorkloadType.Pod, "k8s.pod.name")]
    [InlineData(WorkloadType.Job, "k8s.job.name")]
    [InlineData(WorkloadType.CronJob, "k8s.cronjob.name")]
    public void The_workload_kind_names_the_key(WorkloadType type, string key) =>
        Assert.Contains($"{key}=client", Baggage.For(Pod("client", "10.0.0.2") with { WorkloadType = type }));

    [Fact]
    public void Empty_values_are_left_out()
    {
        var client = Pod("client", "10.0.0.2") with { CanonicalRevision = "", ClusterId = "" };
        Assert.Equal("k8s.namespace.name=demo,k8s.deployment.name=client,service.name=client", Baggage.For(client));
    }

    [Fact]
    public void Traceparent_is_w3c_version_00()
    {
        var a = HboneHeaders.NewTraceParent();
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-00$", a);
        Assert.NotEqual(a, HboneHeaders.NewTraceParent());
    }
}
