using k8s;
using k8s.Models;

namespace Mesh.Control.Config.Files;

/// <summary>One object parsed from a manifest file, with where it came from.</summary>
/// <param name="Document">0-based document index in its file.</param>
/// <param name="Line">1-based line of the document's first line in its file.</param>
public sealed record ManifestObject(string File, int Document, int Line, IKubernetesObject<V1ObjectMeta> Value)
{
    public string Kind => Value.Kind;
    public string Name => Value.Metadata.Name;
    /// <summary>Empty for cluster-scoped objects (Namespace).</summary>
    public string Namespace => Value.Metadata.NamespaceProperty ?? "";

    /// <summary>Identity used to find duplicates: API group (not version) + kind + namespace + name.</summary>
    public string Key => $"{Group(Value.ApiVersion)}/{Kind}/{Namespace}/{Name}";

    /// <summary>"Service demo/echo", "Namespace demo".</summary>
    public string Describe() => Namespace.Length == 0 ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";

    private static string Group(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }
}
