using System.Collections;
using System.Collections.Immutable;

namespace Mesh.Protocol.Model;

/// <summary>
/// An immutable list with structural equality, so records that hold collections keep value equality
/// (ImmutableArray compares by reference). Used for every collection in the state model.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ValueListJsonConverterFactory))]
[System.Runtime.CompilerServices.CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    public static readonly ValueList<T> Empty = new(ImmutableArray<T>.Empty);

    private readonly ImmutableArray<T> _items;
    private int _hash;

    private ValueList(ImmutableArray<T> items) => _items = items;

    public static ValueList<T> From(IEnumerable<T>? items)
    {
        if (items is null) return Empty;
        var array = items.ToImmutableArray();
        return array.IsEmpty ? Empty : new ValueList<T>(array);
    }

    public int Count => _items.Length;
    public T this[int index] => _items[index];
    public ImmutableArray<T> AsImmutableArray() => _items;

    public ImmutableArray<T>.Enumerator GetEnumerator() => _items.GetEnumerator();
    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)_items).GetEnumerator();

    public bool Equals(ValueList<T>? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.Count != Count || other.GetHashCode() != GetHashCode()) return false;
        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < _items.Length; i++)
            if (!comparer.Equals(_items[i], other._items[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    public override int GetHashCode()
    {
        if (_hash != 0) return _hash;
        var hash = new HashCode();
        foreach (var item in _items) hash.Add(item);
        var value = hash.ToHashCode();
        _hash = value == 0 ? 1 : value;
        return _hash;
    }

    public override string ToString() => "[" + string.Join(", ", _items) + "]";

    public static implicit operator ValueList<T>(T[] items) => From(items);
    public static bool operator ==(ValueList<T>? a, ValueList<T>? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(ValueList<T>? a, ValueList<T>? b) => !(a == b);
}

public static class ValueList
{
    public static ValueList<T> Of<T>(params T[] items) => ValueList<T>.From(items);

    /// <summary>Lets collection expressions (<c>[a, b]</c>) build a ValueList.</summary>
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => items.IsEmpty ? ValueList<T>.Empty : ValueList<T>.From(items.ToArray());
    public static ValueList<T> ToValueList<T>(this IEnumerable<T> items) => ValueList<T>.From(items);
}
