using Mesh.Protocol.Model;

namespace Mesh.Control.Tests.Distribution;

/// <summary>Small builders for distribution tests.</summary>
internal static class TestState
{
    public static Workload Workload(string ns, string name, string node, string ip, params string[] services) => new(
        $"Kubernetes//Pod/{ns}/{name}", name, ns, ValueList.Of(ip), "", "", TunnelProtocol.Hbone, "cluster.local", "default",
        null, node, name, "latest", WorkloadType.Pod, name, "Kubernetes",
        services.Select(s => new ServiceBinding($"{ns}/{s}.{ns}.svc.cluster.local", ValueList.Of(new PortMapping(80, 8080)))).ToValueList(),
        WorkloadStatus.Healthy, ValueList<string>.Empty, null);

    public static Service Service(string ns, string name, string vip) => new(
        name, ns, $"{name}.{ns}.svc.cluster.local", ValueList.Of(vip), ValueList.Of(new ServicePort(80, 8080, "http", "http")), null, null);

    public static Authorization Policy(string ns, string name, PolicyScope scope) =>
        new(name, ns, scope, PolicyAction.Allow, ValueList<Rule>.Empty);
}
