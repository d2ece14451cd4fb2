namespace Mesh.Node.Proxy;

public enum Direction { Outbound, Inbound }

/// <summary>How a connection reached or left the pod: plain TCP, or an HBONE (mTLS) tunnel.</summary>
public enum TrafficProtocol { Tcp, Hbone }

/// <summary>
/// Per-pod counters of captured connections (lock-free; read by the admin view). Inbound is counted per listener:
/// plaintext (15006, PERMISSIVE) separately from HBONE (15008). Outbound connections are counted when accepted;
/// those carried over HBONE are counted again in <see cref="OutboundHbone"/> when they close.
/// </summary>
public sealed class ConnectionStats
{
    private long _outboundOpened, _outboundClosed, _outboundHbone;
    private long _inboundPlaintextOpened, _inboundPlaintextClosed, _inboundHboneOpened, _inboundHboneClosed;
    private long _bytesSent, _bytesReceived, _failed;

    public long OutboundOpened => Interlocked.Read(ref _outboundOpened);
    public long OutboundClosed => Interlocked.Read(ref _outboundClosed);
    /// <summary>Closed outbound connections that went over HBONE.</summary>
    public long OutboundHbone => Interlocked.Read(ref _outboundHbone);
    public long InboundPlaintextOpened => Interlocked.Read(ref _inboundPlaintextOpened);
    public long InboundPlaintextClosed => Interlocked.Read(ref _inboundPlaintextClosed);
    public long InboundHboneOpened => Interlocked.Read(ref _inboundHboneOpened);
    public long InboundHboneClosed => Interlocked.Read(ref _inboundHboneClosed);
    /// <summary>All inbound connections, plaintext and HBONE.</summary>
    public long InboundOpened => InboundPlaintextOpened + InboundHboneOpened;
    public long InboundClosed => InboundPlaintextClosed + InboundHboneClosed;
    public long BytesSent => Interlocked.Read(ref _bytesSent);
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>A connection was accepted (the protocol matters for inbound only: it is known from the listener).</summary>
    public void Opened(Direction direction, TrafficProtocol protocol = TrafficProtocol.Tcp) =>
        Interlocked.Increment(ref direction == Direction.Outbound ? ref _outboundOpened
            : ref protocol == TrafficProtocol.Hbone ? ref _inboundHboneOpened : ref _inboundPlaintextOpened);

    /// <summary>Bytes are counted from the pod's point of view: sent = pod → peer.</summary>
    public void Closed(Direction direction, long sent, long received, bool failed, TrafficProtocol protocol = TrafficProtocol.Tcp)
    {
        if (direction == Direction.Outbound)
        {
            Interlocked.Increment(ref _outboundClosed);
            if (protocol == TrafficProtocol.Hbone) Interlocked.Increment(ref _outboundHbone);
        }
        else
        {
            Interlocked.Increment(ref protocol == TrafficProtocol.Hbone ? ref _inboundHboneClosed : ref _inboundPlaintextClosed);
        }
        Interlocked.Add(ref _bytesSent, sent);
        Interlocked.Add(ref _bytesReceived, received);
        if (failed) Interlocked.Increment(ref _failed);
    }
}
