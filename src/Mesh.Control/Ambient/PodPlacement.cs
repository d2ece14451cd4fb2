using k8s.Models;

namespace Mesh.Control.Ambient;

/// <summary>
/// Deterministic stand-in for the scheduler and the IPAM plugin, used when manifests carry no spec.nodeName or
/// status.podIP. Node choice depends only on the pod's own ns/name, so adding a pod never moves another one.
/// </summary>
internal sealed class PodPlacement
{
    private const int FirstHost = 2;   // .0 is the network, .1 the node bridge
    private const int LastHost = 254;  // .255 is broadcast
    private readonly AmbientOptions _options;
    private readonly Dictionary<string, int> _nodeIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _addresses = new(StringComparer.Ordinal);

    public PodPlacement(AmbientOptions options, IReadOnlyList<V1Pod> pods, Warnings warnings)
    {
        _options = options;
        foreach (var pod in pods) _nodes[Key(pod)] = PickNode(pod);
        IndexNodes();
        AllocateAddresses(pods, warnings);
    }

    public string NodeOf(V1Pod pod) => _nodes[Key(pod)];

    public IReadOnlyList<string> AddressesOf(V1Pod pod) =>
        _addresses.TryGetValue(Key(pod), out var list) ? list : [];

    public static string Key(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";

    private string PickNode(V1Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName)) return pod.Spec.NodeName;
        if (_options.Nodes.Count == 0) return "";
        return _options.Nodes[(int)(StableHash.Fnv1a(Key(pod)) % (ulong)_options.Nodes.Count)];
    }

    /// <summary>Configured nodes keep their position; nodes only named by pods follow in name order.</summary>
    private void IndexNodes()
    {
        foreach (var node in _options.Nodes) _nodeIndex.TryAdd(node, _nodeIndex.Count);
        foreach (var node in _nodes.Values.Distinct().Order(StringComparer.Ordinal)) _nodeIndex.TryAdd(node, _nodeIndex.Count);
    }

    private void AllocateAddresses(IReadOnlyList<V1Pod> pods, Warnings warnings)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var pending = new List<V1Pod>();
        foreach (var pod in pods)
        {
            var reported = ReportedAddresses(pod);
            if (reported.Count == 0) { pending.Add(pod); continue; }
            _addresses[Key(pod)] = reported;
            used.UnionWith(reported);
        }

        // Sorted so that the probe order does not depend on the order manifests were read in.
        foreach (var pod in pending.OrderBy(Key, StringComparer.Ordinal))
        {
            var node = NodeOf(pod);
            var index = _nodeIndex.GetValueOrDefault(node, -1);
            if (index is < 0 or > 255)
            {
                warnings.Add($"pod {Key(pod)}: node '{node}' has no pod CIDR ({_options.PodCidrPrefix}.<0-255>.0/24); no address allocated");
                continue;
            }
            var address = Probe(Key(pod), $"{_options.PodCidrPrefix}.{index}.", used);
            if (address is null)
            {
                warnings.Add($"pod {Key(pod)}: pod CIDR {_options.PodCidrPrefix}.{index}.0/24 of node '{node}' is exhausted; no address allocated");
                continue;
            }
            used.Add(address);
            _addresses[Key(pod)] = [address];
        }
    }

    private static string? Probe(string key, string prefix, HashSet<string> used)
    {
        const int size = LastHost - FirstHost + 1;
        var start = (int)(StableHash.Fnv1a(key) % size);
        for (var i = 0; i < size; i++)
        {
            var candidate = prefix + (FirstHost + (start + i) % size);
            if (!used.Contains(candidate)) return candidate;
        }
        return null;
    }

    private static List<string> ReportedAddresses(V1Pod pod)
    {
        var result = new List<string>();
        if (pod.Status?.PodIPs is { } ips)
            foreach (var ip in ips)
                if (!string.IsNullOrEmpty(ip.Ip) && !result.Contains(ip.Ip)) result.Add(ip.Ip);
        if (!string.IsNullOrEmpty(pod.Status?.PodIP) && !result.Contains(pod.Status.PodIP)) result.Insert(0, pod.Status.PodIP);
        return result;
    }
}
