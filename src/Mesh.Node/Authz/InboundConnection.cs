using Mesh.Protocol.Authz;
using Mesh.Protocol.Model;

namespace Mesh.Node.Authz;

/// <summary>
/// One open inbound connection (15008 HBONE stream or 15006 plaintext) as policy sees it: the request it was admitted
/// with, its destination workload, and the handle that cuts it. Lives in <see cref="InboundConnections"/> from before
/// its first check until it ends, so a policy change can never slip between admission and registration.
/// </summary>
public sealed class InboundConnection : IDisposable
{
    private static long _nextId;
    private readonly InboundConnections _owner;
    private readonly CancellationTokenSource _cut = new();
    private volatile Workload _destination;
    private string? _closedBy;

    internal InboundConnection(InboundConnections owner, string pod, in AuthorizationRequest request, Workload destination)
    {
        _owner = owner;
        Id = Interlocked.Increment(ref _nextId);
        Pod = pod;
        Request = request;
        _destination = destination;
    }

    public long Id { get; }

    /// <summary>The destination pod (<c>ns/name</c>), for logs.</summary>
    public string Pod { get; }

    public AuthorizationRequest Request { get; }

    /// <summary>The destination workload as last evaluated (refreshed by each re-check).</summary>
    public Workload Destination
    {
        get => _destination;
        internal set => _destination = value;
    }

    /// <summary>Fires when policy closes the connection; the inbound relay runs on it (HBONE: only that stream is reset).</summary>
    public CancellationToken Cut => _cut.Token;

    /// <summary>Why policy closed it (the deciding policy), or null while it is allowed.</summary>
    public string? ClosedBy => Volatile.Read(ref _closedBy);

    /// <summary>Set once a dry-run re-check reported that it would close this connection (reported once).</summary>
    internal bool DryRunReported { get; set; }

    /// <summary>Closes the connection for <paramref name="reason"/>; false if it was already closed by policy.</summary>
    internal bool TryClose(string reason)
    {
        if (Interlocked.CompareExchange(ref _closedBy, reason, null) is not null) return false;
        try { _cut.Cancel(); }
        catch (ObjectDisposedException) { } // it ended meanwhile
        return true;
    }

    /// <summary>The connection ended: leaves the registry.</summary>
    public void Dispose()
    {
        _owner.Remove(this);
        _cut.Dispose();
    }
}
