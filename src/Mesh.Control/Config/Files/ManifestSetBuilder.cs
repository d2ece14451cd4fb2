using System.Collections.Immutable;
using k8s;
using k8s.Models;
using Mesh.Control.Config.Crds;

namespace Mesh.Control.Config.Files;

/// <summary>
/// Merges the good parse of each file (in path order) into one <see cref="ManifestSet"/>: the first file to define
/// an object wins and later definitions are errors naming both files; Deployments are expanded into Pods. Output
/// arrays are sorted by namespace/name so the set does not depend on how objects are spread across files. Pure.
/// </summary>
internal static class ManifestSetBuilder
{
    public sealed record Result(ManifestSet Set, ImmutableArray<ManifestError> Errors, string Fingerprint);

    public static Result Build(IEnumerable<ManifestParseResult> files)
    {
        var errors = ImmutableArray.CreateBuilder<ManifestError>();
        var winners = new Dictionary<string, ManifestObject>(StringComparer.Ordinal);
        var objects = new List<ManifestObject>();
        foreach (var obj in files.SelectMany(f => f.Objects))
        {
            if (winners.TryGetValue(obj.Key, out var first))
            {
                errors.Add(Duplicate(obj, $"{obj.Describe()} is already defined in {first.File} document {first.Document}"));
                continue;
            }
            winners.Add(obj.Key, obj);
            objects.Add(obj);
        }

        var pods = objects.Where(o => o.Value is V1Pod).ToList();
        var podKeys = pods.ToDictionary(p => p.Key, StringComparer.Ordinal);
        var expanded = new List<V1Pod>();
        foreach (var deployment in objects.Where(o => o.Value is V1Deployment))
        {
            foreach (var pod in DeploymentExpander.Expand((V1Deployment)deployment.Value))
            {
                var key = $"/Pod/{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
                if (podKeys.TryGetValue(key, out var clash))
                    errors.Add(Duplicate(deployment, $"pod {pod.Metadata.Name} of Deployment {deployment.Name} clashes with the Pod in {clash.File} document {clash.Document}"));
                else
                    expanded.Add(pod);
            }
        }

        var set = new ManifestSet(
            Sorted<V1Namespace>(objects),
            [.. Sorted<V1Pod>(objects).Concat(expanded).OrderBy(p => p.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)],
            Sorted<V1Deployment>(objects),
            Sorted<V1Service>(objects),
            Sorted<V1ServiceAccount>(objects),
            Sorted<AuthorizationPolicy>(objects),
            Sorted<PeerAuthentication>(objects),
            Sorted<Gateway>(objects),
            Sorted<HttpRoute>(objects)) { GatewayClasses = Sorted<GatewayClass>(objects) };
        return new Result(set, errors.ToImmutable(), Fingerprint(objects));
    }

    private static ManifestError Duplicate(ManifestObject obj, string what) =>
        new(obj.File, obj.Document, $"{obj.File} document {obj.Document} ({obj.Describe()}): duplicate object: {what}; this one is ignored (line {obj.Line})", obj.Line);

    private static ImmutableArray<T> Sorted<T>(IEnumerable<ManifestObject> objects) where T : IKubernetesObject<V1ObjectMeta> =>
    [
        .. objects.Select(o => o.Value).OfType<T>()
            .OrderBy(o => o.Metadata.NamespaceProperty ?? "", StringComparer.Ordinal)
            .ThenBy(o => o.Metadata.Name, StringComparer.Ordinal),
    ];

    /// <summary>Identifies the set's content (pods are a function of the rest), to raise changes only when it changed.</summary>
    private static string Fingerprint(IEnumerable<ManifestObject> objects) =>
        string.Join("\n", objects.Select(o => o.Key + "=" + CanonicalJson.Sha256(o.Value)).Order(StringComparer.Ordinal));
}
