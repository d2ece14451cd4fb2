using k8s.Models;
using Mesh.Control.Ambient;
using Mesh.Control.Config;
using Mesh.Control.Local;
using static Mesh.Control.Tests.Ambient.Manifests;

namespace Mesh.Control.Tests.Local;

public class LocalDesiredBuilderTests
{
    private static readonly string[] Nodes = ["node-0", "node-1"];
    private static readonly AmbientOptions TwoNodes = Options with { Nodes = Nodes };

    private static V1Pod EchoPod(string ns = "demo", string name = "echo")
    {
        var pod = Pod(ns, name, ("app", "echo")).WithPorts(("http", 8080));
        var c = pod.Spec.Containers[0];
        c.Image = "meshactors/echo";
        c.Command = ["/bin/echo-server"];
        c.Args = ["--verbose"];
        c.WorkingDir = "/srv";
        c.Env =
        [
            new V1EnvVar { Name = "GREETING", Value = "hi" },
            Field("POD_NAME", "metadata.name"), Field("NAMESPACE", "metadata.namespace"), Field("UID", "metadata.uid"),
            Field("NODE", "spec.nodeName"), Field("SA", "spec.serviceAccountName"), Field("IP", "status.podIP"),
            Field("HOST_IP", "status.hostIP"),
            new V1EnvVar { Name = "SECRET", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s", Key = "k" } } },
        ];
        pod.Spec.ServiceAccountName = "echo-sa";
        return pod;
    }

    private static V1EnvVar Field(string name, string path) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = path } } };

    private static (Mesh.Protocol.Local.LocalDesiredState, IReadOnlyList<string>) Build(ManifestSet set) =>
        LocalDesiredBuilder.Build(set, Compute(set, TwoNodes), Nodes, manifestErrors: 0);

    [Fact]
    public void Containers_carry_command_args_ports_and_resolved_downward_api()
    {
        var (state, warnings) = Build(Set([AmbientNamespace("demo")], [EchoPod()]));

        var pod = Assert.Single(state.Pods);
        var workload = Compute(Set([AmbientNamespace("demo")], [EchoPod()]), TwoNodes).Workload("demo", "echo");
        Assert.Equal(workload.Uid, pod.Uid);
        Assert.Equal(workload.Node, pod.Node);
        Assert.Equal(workload.Addresses[0], pod.Ip);
        Assert.Equal("echo-sa", pod.ServiceAccount);
        var c = Assert.Single(pod.Containers);
        Assert.Equal("meshactors/echo", c.Image);
        Assert.Equal(["/bin/echo-server"], c.Command);
        Assert.Equal(["--verbose"], c.Args);
        Assert.Equal("/srv", c.WorkingDir);
        Assert.Equal(8080, Assert.Single(c.Ports).ContainerPort);
        Assert.Equal("TCP", c.Ports[0].Protocol);
        Assert.Equal("hi", c.Env["GREETING"]);
        Assert.Equal("echo", c.Env["POD_NAME"]);
        Assert.Equal("demo", c.Env["NAMESPACE"]);
        Assert.Equal(workload.Uid, c.Env["UID"]);
        Assert.Equal(pod.Node, c.Env["NODE"]);
        Assert.Equal("echo-sa", c.Env["SA"]);
        Assert.Equal(pod.Ip, c.Env["IP"]);
        Assert.False(c.Env.ContainsKey("HOST_IP"));
        Assert.False(c.Env.ContainsKey("SECRET"));
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("HOST_IP") && w.Contains("status.hostIP"));
    }

    [Fact]
    public void Ambient_follows_enrollment()
    {
        var (state, _) = Build(Set([AmbientNamespace("demo"), Namespace("legacy")], [EchoPod("demo"), EchoPod("legacy")]));

        Assert.True(state.Pods.Single(p => p.Namespace == "demo").Ambient);
        Assert.False(state.Pods.Single(p => p.Namespace == "legacy").Ambient);
    }

    [Fact]
    public void Services_carry_vips_ports_and_endpoints()
    {
        var service = Service("demo", "echo", Labels(("app", "echo")), Port(80, "http"));
        var set = Set([AmbientNamespace("demo")], [EchoPod()], [service]);
        var (state, _) = Build(set);

        var local = Assert.Single(state.Services);
        Assert.Equal("echo.demo.svc.cluster.local", local.Hostname);
        Assert.NotEmpty(local.Addresses);
        Assert.Equal([80], local.Ports);
        Assert.Equal([state.Pods[0].Ip], local.Endpoints);
        Assert.Equal(Nodes, state.Nodes);
    }

    [Fact]
    public void Generation_grows_only_when_the_content_changes()
    {
        var feed = new LocalDesiredFeed();
        var seen = new List<long>();
        feed.Changed += s => seen.Add(s.Generation);
        var set = Set([AmbientNamespace("demo")], [EchoPod()]);

        feed.Update(set, Compute(set, TwoNodes), Nodes, 0);
        Assert.Equal(1, feed.Current.Generation);

        var same = Set([AmbientNamespace("demo")], [EchoPod()]); // equal content, new objects
        feed.Update(same, Compute(same, TwoNodes), Nodes, 0);
        Assert.Equal(1, feed.Current.Generation);

        var scaled = Set([AmbientNamespace("demo")], [EchoPod(), EchoPod(name: "echo-2")]);
        feed.Update(scaled, Compute(scaled, TwoNodes), Nodes, 0);
        Assert.Equal(2, feed.Current.Generation);

        feed.Update(scaled, Compute(scaled, TwoNodes), Nodes, manifestErrors: 1);
        Assert.Equal(3, feed.Current.Generation);
        Assert.Equal([1L, 2L, 3L], seen);
    }
}
