using k8s.Models;
using Mesh.Control.Config.Files;

namespace Mesh.Control.Tests.Config.Files;

public class DeploymentExpanderTests
{
    private static V1Deployment Parse(int replicas, string image = "mesh/echo", string labels = "{app: echo, version: v1}")
    {
        var result = ManifestParser.Parse("d.yaml", $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo, namespace: demo}
            spec:
              replicas: {{{replicas}}}
              selector: {matchLabels: {app: echo}}
              template:
                metadata:
                  labels: {{{labels}}}
                  annotations: {note: hi}
                spec:
                  serviceAccountName: echo
                  containers: [{name: echo, image: {{{image}}}}]
            """);
        Assert.Empty(result.Errors);
        return (V1Deployment)result.Objects.Single().Value;
    }

    private static readonly char[] Alphabet = "bcdfghjklmnpqrstvwxz2456789".ToCharArray();

    [Fact]
    public void Pods_are_named_and_shaped_like_a_replicasets_pods()
    {
        var pods = DeploymentExpander.Expand(Parse(2));

        Assert.Equal(2, pods.Count);
        var rs = DeploymentExpander.ReplicaSetName(Parse(2));
        var hash = rs["echo-".Length..];
        Assert.InRange(hash.Length, 1, 10);
        Assert.All(hash, c => Assert.Contains(c, Alphabet));
        foreach (var pod in pods)
        {
            Assert.Matches($"^{rs}-[bcdfghjklmnpqrstvwxz2456789]{{5}}$", pod.Metadata.Name);
            Assert.Equal("demo", pod.Metadata.NamespaceProperty);
            Assert.Equal(hash, pod.Metadata.Labels[DeploymentExpander.PodTemplateHashLabel]);
            Assert.Equal("echo", pod.Metadata.Labels["app"]);
            Assert.Equal("v1", pod.Metadata.Labels["version"]);
            Assert.Equal("hi", pod.Metadata.Annotations["note"]);
            Assert.Equal("echo", pod.Spec.ServiceAccountName);
            Assert.Equal("mesh/echo", pod.Spec.Containers[0].Image);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "ReplicaSet", rs, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Controller ?? false));
            Assert.False(string.IsNullOrEmpty(pod.Metadata.Uid));
        }
        Assert.NotEqual(pods[0].Metadata.Name, pods[1].Metadata.Name);
        Assert.NotSame(pods[0].Spec, pods[1].Spec);
    }

    [Fact]
    public void Same_input_gives_same_names()
    {
        var a = DeploymentExpander.Expand(Parse(3)).Select(p => (p.Metadata.Name, p.Metadata.Uid));
        var b = DeploymentExpander.Expand(Parse(3)).Select(p => (p.Metadata.Name, p.Metadata.Uid));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Label_order_does_not_change_the_hash()
    {
        Assert.Equal(
            DeploymentExpander.ReplicaSetName(Parse(1, labels: "{app: echo, version: v1}")),
            DeploymentExpander.ReplicaSetName(Parse(1, labels: "{version: v1, app: echo}")));
    }

    [Fact]
    public void Scaling_up_keeps_existing_names_and_scaling_down_keeps_the_first()
    {
        var two = DeploymentExpander.Expand(Parse(2)).Select(p => p.Metadata.Name).ToList();
        var three = DeploymentExpander.Expand(Parse(3)).Select(p => p.Metadata.Name).ToList();
        var one = DeploymentExpander.Expand(Parse(1)).Select(p => p.Metadata.Name).ToList();

        Assert.Equal(two, three.Take(2));
        Assert.Equal(two.Take(1), one);
        Assert.Equal(3, three.Distinct().Count());
    }

    [Fact]
    public void Template_change_changes_the_hash_and_names()
    {
        var v1 = DeploymentExpander.Expand(Parse(1, image: "mesh/echo"))[0];
        var v2 = DeploymentExpander.Expand(Parse(1, image: "mesh/echo2"))[0];
        Assert.NotEqual(v1.Metadata.Labels["pod-template-hash"], v2.Metadata.Labels["pod-template-hash"]);
        Assert.NotEqual(v1.Metadata.Name, v2.Metadata.Name);
    }

    [Fact]
    public void Replica_count_defaults_to_one_and_zero_means_none()
    {
        var d = Parse(1);
        d.Spec.Replicas = null;
        Assert.Single(DeploymentExpander.Expand(d));
        d.Spec.Replicas = 0;
        Assert.Empty(DeploymentExpander.Expand(d));
    }

    [Fact]
    public void Safe_encode_matches_kubernetes()
    {
        // rand.SafeEncodeString("123") in Kubernetes: '1'=49%27=22 -> '5', '2'=50%27=23 -> '6', '3'=51%27=24 -> '7'.
        Assert.Equal("567", DeploymentExpander.SafeEncodeString("123"));
        // FNV-1a 32 test vector.
        Assert.Equal(0xe40c292cu, DeploymentExpander.Fnv1a32("a"));
    }

    [Fact]
    public void Long_names_are_truncated_like_generate_name()
    {
        var name = DeploymentExpander.PodName(new string('a', 70), 0, new HashSet<string>());
        Assert.Equal(63, name.Length);
    }
}
