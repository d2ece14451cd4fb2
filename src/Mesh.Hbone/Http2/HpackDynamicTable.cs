namespace Mesh.Hbone.Http2;

/// <summary>RFC 7541 §2.3.2/§4 dynamic table: a FIFO ring, newest entry at index 0, evicting by size.</summary>
internal sealed class HpackDynamicTable
{
    private HeaderField[] _ring;
    private int _insert; // slot the next (newest) entry goes to
    private int _count;

    public HpackDynamicTable(int maxSize)
    {
        MaxSize = maxSize;
        _ring = new HeaderField[Math.Max(4, maxSize / 32)];
    }

    public int Count => _count;

    /// <summary>Sum of entry sizes (octets incl. the 32-octet overhead each).</summary>
    public int Size { get; private set; }

    public int MaxSize { get; private set; }

    /// <summary>0-based, 0 = newest (HPACK index 62).</summary>
    public HeaderField this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
                throw new ArgumentOutOfRangeException(nameof(index));
            var slot = _insert - 1 - index;
            return _ring[slot < 0 ? slot + _ring.Length : slot];
        }
    }

    public void Add(HeaderField field)
    {
        var size = field.Size;
        // §4.4: an entry larger than the table empties it and is not added.
        if (size > MaxSize)
        {
            Clear();
            return;
        }
        while (Size + size > MaxSize)
            EvictOldest();
        if (_count == _ring.Length)
            Grow();
        _ring[_insert] = field;
        _insert = (_insert + 1) % _ring.Length;
        _count++;
        Size += size;
    }

    public void SetMaxSize(int maxSize)
    {
        MaxSize = maxSize;
        while (Size > maxSize)
            EvictOldest();
    }

    private void EvictOldest()
    {
        var slot = _insert - _count;
        if (slot < 0)
            slot += _ring.Length;
        Size -= _ring[slot].Size;
        _ring[slot] = default;
        _count--;
    }

    private void Clear()
    {
        Array.Clear(_ring);
        _insert = _count = Size = 0;
    }

    private void Grow()
    {
        var bigger = new HeaderField[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
            bigger[_count - 1 - i] = this[i]; // oldest first
        _ring = bigger;
        _insert = _count;
    }
}
