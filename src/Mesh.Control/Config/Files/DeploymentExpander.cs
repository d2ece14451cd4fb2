using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace Mesh.Control.Config.Files;

/// <summary>
/// Turns a Deployment into the Pods its ReplicaSet would create, named the way Kubernetes names them
/// (<c>&lt;deploy&gt;-&lt;pod-template-hash&gt;-&lt;5 chars&gt;</c>), but deterministically: the same manifests give the
/// same pod names in every process and after every restart, so pod identities (and their addresses, certificates
/// and connections) survive a control-plane restart. Pure.
/// </summary>
public static class DeploymentExpander
{
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>Kubernetes' rand alphabet: no vowels (no accidental words) and no confusable 0/1/3.</summary>
    private const string Alphanums = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>Kubernetes truncates generateName bases so base + 5 random chars fit a 63-char label.</summary>
    private const int MaxGenerateNameBase = 58;

    public static IReadOnlyList<V1Pod> Expand(V1Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment.Spec?.Template);
        var template = deployment.Spec.Template;
        var hash = PodTemplateHash(template);
        var rsName = $"{deployment.Metadata.Name}-{hash}";
        var ns = deployment.Metadata.NamespaceProperty ?? "default";
        var replicas = Math.Max(0, deployment.Spec.Replicas ?? 1);

        var pods = new List<V1Pod>(replicas);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < replicas; i++)
        {
            var name = PodName(rsName, i, names);
            names.Add(name);
            pods.Add(NewPod(template, ns, rsName, hash, name));
        }
        return pods;
    }

    /// <summary>
    /// Stable hash of the pod template, encoded like Kubernetes' <c>rand.SafeEncodeString(fmt.Sprint(fnv32a))</c>.
    /// Kubernetes hashes a spew dump of the Go struct; we hash canonical JSON, so the value differs from a real
    /// cluster's but has the same shape and the same property: it changes exactly when the template changes.
    /// </summary>
    public static string PodTemplateHash(V1PodTemplateSpec template) =>
        SafeEncodeString(Fnv1a32(CanonicalJson.Render(template)).ToString(CultureInfo.InvariantCulture));

    public static string ReplicaSetName(V1Deployment deployment) =>
        $"{deployment.Metadata.Name}-{PodTemplateHash(deployment.Spec.Template)}";

    /// <summary>
    /// Replica i's name: a pure function of (ReplicaSet name, i), so scaling up keeps existing names. On the rare
    /// suffix collision with an earlier replica we rehash with an attempt counter (still deterministic).
    /// </summary>
    internal static string PodName(string rsName, int index, IReadOnlySet<string> taken)
    {
        var prefix = rsName.Length > MaxGenerateNameBase - 1 ? rsName[..(MaxGenerateNameBase - 1)] : rsName;
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{prefix}-{Suffix($"{rsName}/{index}/{attempt}")}";
            if (!taken.Contains(name))
                return name;
        }
    }

    private static string Suffix(string seed)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var chars = new char[5];
        for (var i = 0; i < chars.Length; i++)
            chars[i] = Alphanums[bytes[i] % Alphanums.Length];
        return new string(chars);
    }

    private static V1Pod NewPod(V1PodTemplateSpec template, string ns, string rsName, string hash, string name)
    {
        var labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [PodTemplateHashLabel] = hash,
        };
        var annotations = template.Metadata?.Annotations is { Count: > 0 } a
            ? new Dictionary<string, string>(a, StringComparer.Ordinal)
            : null;
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                GenerateName = rsName + "-",
                NamespaceProperty = ns,
                Uid = StableUid($"{ns}/{name}"),
                Labels = labels,
                Annotations = annotations,
                OwnerReferences =
                [
                    new V1OwnerReference
                    {
                        ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = rsName,
                        Uid = StableUid($"{ns}/{rsName}"), Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = template.Spec is null ? null : CanonicalJson.Clone(template.Spec),
        };
    }

    /// <summary>A UUID-shaped id derived from the object's identity (real uids are random; ours must be stable).</summary>
    private static string StableUid(string identity)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5-style (name-based)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>Kubernetes' rand.SafeEncodeString: map each character onto the alphabet.</summary>
    internal static string SafeEncodeString(string s)
    {
        var chars = new char[s.Length];
        for (var i = 0; i < s.Length; i++)
            chars[i] = Alphanums[s[i] % Alphanums.Length];
        return new string(chars);
    }

    internal static uint Fnv1a32(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return hash;
    }
}
