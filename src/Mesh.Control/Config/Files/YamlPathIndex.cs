using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Control.Config.Files;

/// <summary>
/// Field paths ("spec.ports[0].port", "metadata.labels[app.kubernetes.io/name]") of one document's nodes and where
/// they are, so deserializer errors (which only carry a position) can name the field and validation errors (which
/// only know the field) can name the line. Path syntax follows Kubernetes' field.Path.
/// </summary>
internal sealed partial class YamlPathIndex
{
    private readonly record struct Entry(string Path, long Start, long End, int Line);

    private readonly List<Entry> _entries = [];
    private readonly Dictionary<string, int> _lineByPath = new(StringComparer.Ordinal);

    public YamlPathIndex(YamlNode root) => Walk(root, "");

    public static YamlPathIndex Empty { get; } = new(new YamlScalarNode());

    /// <summary>Line (1-based, relative to the document text) of the path, or of its nearest ancestor present.</summary>
    public int? LineOf(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (_lineByPath.TryGetValue(p, out var line))
                return line;
        }
        return null;
    }

    /// <summary>The most specific field whose key or value covers the position.</summary>
    public string? PathAt(Mark mark)
    {
        Entry? best = null;
        foreach (var e in _entries)
        {
            var covers = e.Start <= mark.Index && (mark.Index < e.End || mark.Index == e.Start);
            if (covers && (best is null || e.End - e.Start < best.Value.End - best.Value.Start
                           || (e.End - e.Start == best.Value.End - best.Value.Start && e.Path.Length > best.Value.Path.Length)))
                best = e;
        }
        return best?.Path is { Length: > 0 } path ? path : null;
    }

    private void Walk(YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode { Value: { } s } ? s : key.ToString();
                    var child = Child(path, name);
                    Add(child, key);
                    Add(child, value);
                    Walk(value, child);
                }
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    var child = $"{path}[{i}]";
                    Add(child, seq.Children[i]);
                    Walk(seq.Children[i], child);
                }
                break;
        }
    }

    private void Add(string path, YamlNode node)
    {
        _entries.Add(new Entry(path, node.Start.Index, node.End.Index, (int)node.Start.Line));
        _lineByPath.TryAdd(path, (int)node.Start.Line);
    }

    private static string Child(string parent, string key) =>
        Identifier().IsMatch(key) ? (parent.Length == 0 ? key : $"{parent}.{key}") : $"{parent}[{key}]";

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        // A '.' inside a [map key] is not a separator.
        var open = path.LastIndexOf('[');
        if (open >= 0 && path.EndsWith(']') && cut > open)
            cut = open;
        return cut <= 0 ? "" : path[..cut];
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
