using k8s.Models;

namespace Mesh.Control.Config.Files;

/// <summary>Label selector matching as apimachinery's labels.Selector does (matchLabels AND matchExpressions).</summary>
internal static class LabelSelectors
{
    public static bool IsEmpty(V1LabelSelector? selector) =>
        selector is null || ((selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0);

    public static bool Matches(V1LabelSelector selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
                return false;
        }
        foreach (var expr in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(expr.Key, out var actual);
            var values = expr.Values ?? [];
            var ok = expr.OperatorProperty switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
                return false;
        }
        return true;
    }
}
