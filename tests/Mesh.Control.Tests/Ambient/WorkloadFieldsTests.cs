using Mesh.Control.Ambient;
using Mesh.Protocol.Model;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Ambient;

public class WorkloadFieldsTests
{
    private static Workload Single(Action<k8s.Models.V1Pod>? tweak = null, params (string, string)[] labels)
    {
        var pod = Pod("a", "p", labels);
        tweak?.Invoke(pod);
        return Compute(Set([AmbientNamespace("a")], [pod])).Workload("a", "p");
    }

    [Fact]
    public void Identity_fields_follow_options_and_the_pod()
    {
        var w = Single(p => p.Spec.ServiceAccountName = "reviews");
        Assert.Equal("Kubernetes//Pod/a/p", w.Uid);
        Assert.Equal("cluster.local", w.TrustDomain);
        Assert.Equal("Kubernetes", w.ClusterId);
        Assert.Equal("", w.Network);
        Assert.Equal("", w.Hostname);
        Assert.Equal("reviews", w.ServiceAccount);
    }

    [Fact]
    public void Service_account_defaults_to_default()
    {
        Assert.Equal("default", Single().ServiceAccount);
    }

    [Fact]
    public void Options_change_uid_trust_domain_and_network()
    {
        var options = Options with { ClusterId = "c1", TrustDomain = "example.org", Network = "net1" };
        var w = Compute(Set([AmbientNamespace("a")], [Pod("a", "p")]), options).Workload("a", "p");
        Assert.Equal("c1//Pod/a/p", w.Uid);
        Assert.Equal(("example.org", "net1", "c1"), (w.TrustDomain, w.Network, w.ClusterId));
    }

    [Fact]
    public void Replica_set_owner_with_matching_hash_is_a_deployment()
    {
        var w = Single(p => p.OwnedBy("ReplicaSet", "reviews-v1-7d4f9c"), (AmbientLabels.PodTemplateHash, "7d4f9c"));
        Assert.Equal((WorkloadType.Deployment, "reviews-v1"), (w.WorkloadType, w.WorkloadName));
    }

    [Fact]
    public void Replica_set_without_matching_hash_is_treated_as_the_pod()
    {
        var w = Single(p => p.OwnedBy("ReplicaSet", "bare-rs"));
        Assert.Equal((WorkloadType.Pod, "p"), (w.WorkloadType, w.WorkloadName));
    }

    [Fact]
    public void Job_owner_is_a_job_and_scheduled_job_is_a_cron_job()
    {
        Assert.Equal((WorkloadType.Job, "migrate"), (Single(p => p.OwnedBy("Job", "migrate")) is var j ? (j.WorkloadType, j.WorkloadName) : default));
        var cron = Single(p => p.OwnedBy("Job", "backup-28934120"));
        Assert.Equal((WorkloadType.CronJob, "backup"), (cron.WorkloadType, cron.WorkloadName));
    }

    [Fact]
    public void Bare_pod_is_its_own_workload()
    {
        var w = Single();
        Assert.Equal((WorkloadType.Pod, "p"), (w.WorkloadType, w.WorkloadName));
    }

    [Fact]
    public void Canonical_name_precedence()
    {
        Assert.Equal("c", Single(null, (AmbientLabels.CanonicalName, "c"), (AmbientLabels.AppKubernetesName, "k"), ("app", "a")).CanonicalName);
        Assert.Equal("k", Single(null, (AmbientLabels.AppKubernetesName, "k"), ("app", "a")).CanonicalName);
        Assert.Equal("a", Single(null, ("app", "a")).CanonicalName);
        Assert.Equal("reviews", Single(p => p.OwnedBy("ReplicaSet", "reviews-abc"), (AmbientLabels.PodTemplateHash, "abc")).CanonicalName);
    }

    [Fact]
    public void Canonical_revision_precedence()
    {
        Assert.Equal("r", Single(null, (AmbientLabels.CanonicalRevision, "r"), (AmbientLabels.AppKubernetesVersion, "k"), ("version", "v")).CanonicalRevision);
        Assert.Equal("k", Single(null, (AmbientLabels.AppKubernetesVersion, "k"), ("version", "v")).CanonicalRevision);
        Assert.Equal("v", Single(null, ("version", "v")).CanonicalRevision);
        Assert.Equal("latest", Single().CanonicalRevision);
    }

    [Theory]
    [InlineData(null, null, WorkloadStatus.Healthy)]
    [InlineData("Running", null, WorkloadStatus.Healthy)]
    [InlineData("Running", "True", WorkloadStatus.Healthy)]
    [InlineData("Running", "False", WorkloadStatus.Unhealthy)]
    [InlineData("Pending", null, WorkloadStatus.Unhealthy)]
    public void Status_from_phase_and_ready_condition(string? phase, string? ready, WorkloadStatus expected)
    {
        var w = Single(p => { if (phase is not null || ready is not null) p.WithStatus(phase, ready: ready); });
        Assert.Equal(expected, w.Status);
    }

    [Fact]
    public void Pod_without_status_is_healthy()
    {
        Assert.Equal(WorkloadStatus.Healthy, Single().Status);
    }

    [Fact]
    public void Locality_from_pod_labels_then_node_labels()
    {
        var options = Options with
        {
            NodeLabels = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["node-0"] = new Dictionary<string, string> { [AmbientLabels.Region] = "eu", [AmbientLabels.Zone] = "eu-1" },
            },
        };
        var pod = Pod("a", "p", (AmbientLabels.Subzone, "rack7"), (AmbientLabels.Zone, "eu-2"));
        var w = Compute(Set([AmbientNamespace("a")], [pod]), options).Workload("a", "p");
        Assert.Equal(new Locality("eu", "eu-2", "rack7"), w.Locality);
    }

    [Fact]
    public void No_topology_means_no_locality()
    {
        Assert.Null(Single().Locality);
    }
}
