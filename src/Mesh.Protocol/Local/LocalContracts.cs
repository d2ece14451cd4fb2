namespace Mesh.Protocol.Local;

/// <summary>
/// Local mode: the control plane plays API server, the local supervisor plays kubelet + CNI. The control plane
/// publishes the desired pods (with the IP and node it computed, and container specs with the downward API already
/// resolved) and services; the supervisor realises them. Served by mesh-control at <see cref="Routes.Desired"/>.
/// </summary>
public static class Routes
{
    public const string Desired = "/v1/local/desired";            // GET → LocalDesiredState
    public const string DesiredWatch = "/v1/local/desired/watch"; // GET → NDJSON stream of LocalDesiredState, one per change
}

/// <summary>One container to run inside the pod's network namespace.</summary>
public sealed record LocalContainer(
    string Name,
    string Image,
    IReadOnlyList<string> Command,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<LocalContainerPort> Ports,
    string? WorkingDir);

public sealed record LocalContainerPort(string? Name, int ContainerPort, string Protocol);

/// <summary>A pod as the supervisor must realise it. <c>Uid</c> equals the Workload uid the ztunnel knows.</summary>
public sealed record LocalPod(
    string Uid,
    string Namespace,
    string Name,
    string Node,
    string Ip,
    bool Ambient,
    string ServiceAccount,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<LocalContainer> Containers);

/// <summary>A service for name resolution inside pods (hosts/DNS): VIPs and ports; <c>Endpoints</c> = IPs of the pods it selects.</summary>
public sealed record LocalService(string Namespace, string Name, string Hostname, IReadOnlyList<string> Addresses, IReadOnlyList<int> Ports,
    IReadOnlyList<string>? Endpoints = null);

/// <summary>Everything the supervisor must realise; <c>Generation</c> grows with every change.</summary>
public sealed record LocalDesiredState(
    long Generation,
    IReadOnlyList<string> Nodes,
    IReadOnlyList<LocalPod> Pods,
    IReadOnlyList<LocalService> Services,
    int ManifestErrors);
