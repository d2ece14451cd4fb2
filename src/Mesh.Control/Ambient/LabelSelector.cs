namespace Mesh.Control.Ambient;

/// <summary>matchLabels semantics: every selector label is present on the object with the same value.</summary>
internal static class LabelSelector
{
    public static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string>? labels)
    {
        if (selector is null) return true;
        foreach (var (key, value) in selector)
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value) return false;
        }
        return true;
    }
}
