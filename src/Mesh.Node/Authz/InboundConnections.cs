using System.Collections.Concurrent;
using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Node.Authz;

/// <summary>Every open inbound connection on the node, for policy re-checks (one dictionary add and remove per connection).</summary>
public sealed class InboundConnections
{
    private readonly ConcurrentDictionary<long, InboundConnection> _open = new();

    public int Count => _open.Count;

    /// <summary>Registers a connection before it is first checked; dispose the result when it ends.</summary>
    public InboundConnection Track(string pod, in AuthorizationRequest request, Workload destination)
    {
        var connection = new InboundConnection(this, pod, request, destination);
        _open[connection.Id] = connection;
        return connection;
    }

    internal void Remove(InboundConnection connection) => _open.TryRemove(connection.Id, out _);

    /// <summary>The open connections (a moving view: safe to enumerate while connections come and go).</summary>
    public IEnumerable<InboundConnection> All => _open.Values;
}
