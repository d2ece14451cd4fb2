namespace Mesh.Node.State;

/// <summary>
/// Bounds of the node's cache of remote-address lookups, bound from <c>Mesh:Node:AddressCache</c>. Every address a
/// pod dials that is not on this node is looked up once and cached, including internet destinations outside the
/// mesh, so the cache is bounded in size and in time.
/// </summary>
public sealed class AddressCacheOptions
{
    public const string Section = "Mesh:Node:AddressCache";

    /// <summary>
    /// At most this many addresses (in-mesh and negative answers together) are cached. When full, expired and negative
    /// entries go first, then the least recently used ones (a tenth at a time, so eviction is not paid per lookup).
    /// </summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>
    /// How long an answer "not in the mesh" is believed. Negative answers are not watched (the node unsubscribes at
    /// once, so the control plane's entity can passivate); after this the address is looked up again on next use.
    /// </summary>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An entry the data path has not read for this long is evicted (and its address unwatched).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A lookup not answered within this is sent again (the entity may have stopped or moved before answering). Callers
    /// are waiting: retried at this interval; refreshes of entries already cached back off to 30 s.
    /// </summary>
    public TimeSpan LookupRetry { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A caller still waiting after this long gets an <c>AskTimeoutException</c>: no lookup waits forever.</summary>
    public TimeSpan AnswerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often expiry, idleness, retries and waiter deadlines are checked (derived from the settings above).</summary>
    public TimeSpan SweepInterval
    {
        get
        {
            var shortest = new[] { LookupRetry, NegativeTtl, IdleTimeout, AnswerTimeout }.Min() / 2;
            return shortest < TimeSpan.FromMilliseconds(20) ? TimeSpan.FromMilliseconds(20)
                : shortest > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : shortest;
        }
    }

    /// <summary>Throws, naming the setting, when a value cannot work.</summary>
    public void Validate()
    {
        if (MaxEntries < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxEntries), MaxEntries, $"{Section}:{nameof(MaxEntries)} must be at least 1");
        Positive(NegativeTtl, nameof(NegativeTtl));
        Positive(IdleTimeout, nameof(IdleTimeout));
        Positive(LookupRetry, nameof(LookupRetry));
        Positive(AnswerTimeout, nameof(AnswerTimeout));
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, value, $"{Section}:{name} must be positive");
    }
}
