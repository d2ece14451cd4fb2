using System.Collections.Concurrent;

namespace Mesh.Node.Telemetry;

/// <summary>The connections open right now (for <c>zc connections</c> and <c>/config_dump</c>); one entry per connection.</summary>
public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<long, ConnectionRecord> _open = new();

    public int Count => _open.Count;

    internal void Add(ConnectionRecord connection) => _open.TryAdd(connection.Id, connection);

    internal void Remove(ConnectionRecord connection) => _open.TryRemove(connection.Id, out _);

    /// <summary>The open connections (a moving view: safe to enumerate while connections come and go).</summary>
    internal IEnumerable<ConnectionRecord> All => _open.Values;

    /// <summary>A point-in-time copy, oldest first.</summary>
    public IReadOnlyList<ConnectionRecord> Snapshot() => _open.Values.OrderBy(c => c.Id).ToList();

    /// <summary>Open connections per direction (for the active-connections gauge).</summary>
    public (int Outbound, int Inbound) CountByDirection()
    {
        int outbound = 0, inbound = 0;
        foreach (var connection in _open.Values)
        {
            if (connection.Direction == ConnectionDirection.Outbound) outbound++;
            else inbound++;
        }
        return (outbound, inbound);
    }
}
