using System.Collections.Immutable;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Control.Config.Files;

/// <summary>
/// Parses one manifest file (multi-document YAML) into KubernetesClient's object model, strictly: unknown fields,
/// duplicate keys and wrong types are errors (kubectl's strict field validation), then applies the admission checks
/// of <see cref="ManifestValidator"/>. Each document is parsed on its own so every error names its document, the
/// object, the field and the line in the file. Unsupported kinds are skipped with a warning. Pure.
/// </summary>
public static class ManifestParser
{
    private const string DefaultNamespace = "default";

    /// <param name="file">Name used in messages, e.g. the path relative to the manifest directory.</param>
    public static ManifestParseResult Parse(string file, string content)
    {
        var objects = ImmutableArray.CreateBuilder<ManifestObject>();
        var errors = ImmutableArray.CreateBuilder<ManifestError>();
        var warnings = ImmutableArray.CreateBuilder<string>();

        var (documents, splitError) = YamlDocumentSplitter.Split(content);
        foreach (var doc in documents)
            ParseDocument(file, doc, objects, errors, warnings);
        if (splitError is not null)
            errors.Add(new ManifestError(file, splitError.Document,
                $"{file} document {splitError.Document}: {splitError.Message} (line {splitError.Line})", splitError.Line));

        ReportDuplicates(file, objects, errors);
        return new ManifestParseResult(file, objects.ToImmutable(), errors.ToImmutable(), warnings.ToImmutable());
    }

    private static void ParseDocument(string file, YamlDocumentText doc,
        ImmutableArray<ManifestObject>.Builder objects, ImmutableArray<ManifestError>.Builder errors, ImmutableArray<string>.Builder warnings)
    {
        var lineOffset = doc.FirstLine - 1;
        var where = $"{file} document {doc.Index}";
        void Error(string? path, string message, int? docLine)
        {
            int? line = docLine is { } l ? l + lineOffset : null;
            var text = $"{where}: {(path is null ? "" : path + ": ")}{message}{(line is null ? "" : $" (line {line})")}";
            errors.Add(new ManifestError(file, doc.Index, text, line));
        }

        YamlNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(doc.Text));
            root = stream.Documents.FirstOrDefault()?.RootNode;
        }
        catch (YamlException e)
        {
            Error(null, YamlDocumentSplitter.Describe(e), (int)e.Start.Line);
            return;
        }
        catch (ArgumentException e) // duplicate mapping keys surface as dictionary errors in some YamlDotNet paths
        {
            Error(null, e.Message, null);
            return;
        }

        if (root is null or YamlScalarNode { Value: null or "" or "~" or "null" })
            return; // empty document: "---" followed by nothing or comments
        if (root is not YamlMappingNode map)
        {
            Error(null, "a manifest document must be a mapping (an object with apiVersion and kind)", (int)root.Start.Line);
            return;
        }

        var index = new YamlPathIndex(map);
        var apiVersion = Scalar(map, "apiVersion");
        var kind = Scalar(map, "kind");
        var name = Scalar(map, "metadata", "name");
        var ns = Scalar(map, "metadata", "namespace");
        var label = Label(kind, ns, name);
        if (label is not null)
            where += $" ({label})";

        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            if (string.IsNullOrEmpty(apiVersion))
                Error("apiVersion", "Required value: apiVersion must be set", index.LineOf("apiVersion") ?? 1);
            if (string.IsNullOrEmpty(kind))
                Error("kind", "Required value: kind must be set", index.LineOf("kind") ?? 1);
            return;
        }
        if (!ManifestKinds.TypeMap.ContainsKey(ManifestKinds.Key(apiVersion, kind)))
        {
            warnings.Add($"{where}: {apiVersion} {kind} is not supported by the manifest directory; skipped (line {doc.FirstLine})");
            return;
        }

        IKubernetesObject<V1ObjectMeta> obj;
        try
        {
            var loaded = KubernetesYaml.LoadAllFromString(doc.Text, ManifestKinds.TypeMap, strict: true);
            obj = (IKubernetesObject<V1ObjectMeta>)loaded.Single();
        }
        catch (YamlException e)
        {
            Error(index.PathAt(e.Start), Explain(e), (int)e.Start.Line);
            return;
        }

        obj.Metadata ??= new V1ObjectMeta();
        if (!ManifestKinds.IsClusterScoped(obj.Kind) && string.IsNullOrEmpty(obj.Metadata.NamespaceProperty))
            obj.Metadata.NamespaceProperty = DefaultNamespace;

        var fieldErrors = ManifestValidator.Validate(obj);
        foreach (var fe in fieldErrors)
            Error(fe.Path, fe.Message, index.LineOf(fe.Path) ?? 1);
        if (fieldErrors.Count == 0)
            objects.Add(new ManifestObject(file, doc.Index, doc.FirstLine, obj));
    }

    private static void ReportDuplicates(string file, ImmutableArray<ManifestObject>.Builder objects, ImmutableArray<ManifestError>.Builder errors)
    {
        var seen = new Dictionary<string, ManifestObject>(StringComparer.Ordinal);
        foreach (var obj in objects.ToArray())
        {
            if (seen.TryGetValue(obj.Key, out var first))
            {
                errors.Add(new ManifestError(file, obj.Document,
                    $"{file} document {obj.Document} ({obj.Describe()}): duplicate of document {first.Document} (line {obj.Line})", obj.Line));
                objects.Remove(obj);
            }
            else
            {
                seen.Add(obj.Key, obj);
            }
        }
    }

    /// <summary>Turn YamlDotNet's wording into kubectl's where they differ in a way users notice.</summary>
    private static string Explain(YamlException e)
    {
        const string notFound = "Property '";
        var message = YamlDocumentSplitter.Describe(e);
        if (message.StartsWith(notFound, StringComparison.Ordinal))
        {
            var end = message.IndexOf('\'', notFound.Length);
            if (end > 0)
                return $"unknown field \"{message[notFound.Length..end]}\"";
        }
        return message;
    }

    private static string? Label(string? kind, string? ns, string? name)
    {
        if (string.IsNullOrEmpty(kind))
            return null;
        if (string.IsNullOrEmpty(name))
            return kind;
        if (ManifestKinds.IsClusterScoped(kind))
            return $"{kind} {name}";
        return $"{kind} {(string.IsNullOrEmpty(ns) ? DefaultNamespace : ns)}/{name}";
    }

    private static string? Scalar(YamlMappingNode map, params string[] path)
    {
        YamlNode node = map;
        foreach (var key in path)
        {
            if (node is not YamlMappingNode m || !m.Children.TryGetValue(new YamlScalarNode(key), out var child))
                return null;
            node = child;
        }
        return (node as YamlScalarNode)?.Value;
    }
}
