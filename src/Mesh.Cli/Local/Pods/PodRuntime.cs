using Mesh.Cli.Local.Supervisor;
using Mesh.Protocol.Local;

namespace Mesh.Cli.Local.Pods;

/// <summary>A realised pod: its desired record, its container processes, and why it cannot run if it cannot.</summary>
public sealed class PodRuntime(LocalPod pod)
{
    public LocalPod Pod { get; set; } = pod;
    public List<ChildProcess> Containers { get; } = [];
    /// <summary>A problem that retrying will not fix (unknown image, no IP, network setup failed).</summary>
    public string? Failure { get; set; }
    public string Key => $"{Pod.Namespace}/{Pod.Name}";
}
