namespace Mesh.Node.Proxy;

public enum Direction { Outbound, Inbound }

/// <summary>Per-pod counters of captured connections (lock-free; read by the admin view).</summary>
public sealed class ConnectionStats
{
    private long _outboundOpened, _outboundClosed, _inboundOpened, _inboundClosed, _bytesSent, _bytesReceived, _failed;

    public long OutboundOpened => Interlocked.Read(ref _outboundOpened);
    public long OutboundClosed => Interlocked.Read(ref _outboundClosed);
    public long InboundOpened => Interlocked.Read(ref _inboundOpened);
    public long InboundClosed => Interlocked.Read(ref _inboundClosed);
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    public long Failed => Interlocked.Read(ref _failed);

    public void Opened(Direction direction) =>
        Interlocked.Increment(ref direction == Direction.Outbound ? ref _outboundOpened : ref _inboundOpened);

    /// <summary>Bytes are counted from the pod's point of view: sent = pod → peer.</summary>
    public void Closed(Direction direction, long sent, long received, bool failed)
    {
        Interlocked.Increment(ref direction == Direction.Outbound ? ref _outboundClosed : ref _inboundClosed);
        Interlocked.Add(ref _bytesSent, sent);
        Interlocked.Add(ref _bytesReceived, received);
        if (failed) Interlocked.Increment(ref _failed);
    }
}
