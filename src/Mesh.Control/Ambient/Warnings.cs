namespace Mesh.Control.Ambient;

/// <summary>Collects human-readable problems found while computing state; output is de-duplicated and sorted.</summary>
internal sealed class Warnings
{
    private readonly SortedSet<string> _items = new(StringComparer.Ordinal);

    public void Add(string message) => _items.Add(message);

    public IReadOnlyCollection<string> Items => _items;
}
